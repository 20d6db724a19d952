"""Every string a person reads is translatable, and translated.

Vietnamese is the source language: a string "missing from Vietnamese" is one
that was typed straight into a template or a message instead of going through
`_()`. The English catalogue must hold a translation of every message the
sources use (extracted exactly as `make translations-update` does).
"""
from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes

from config import Config

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = [lang for lang in Config.LANGUAGES if lang != Config.BABEL_DEFAULT_LOCALE]

# The same keywords as the Makefile's translations-update: babel's defaults (_, gettext,
# ngettext, …) plus the lazy ones used for module-level strings.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

# Letters that only Vietnamese text carries: a conservative sign of visible Vietnamese words.
VIETNAMESE_LETTERS = ("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợ"
                      "ùúủũụưừứửữựỳýỷỹỵđ")
VIETNAMESE_WORD = re.compile(
    rf"\S*[{VIETNAMESE_LETTERS}{VIETNAMESE_LETTERS.upper()}]\S*")


def extracted_messages() -> dict[tuple[str, str | None], list[str]]:
    """msgid (with context) -> where it is used, from babel.cfg's sources."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid:
            found.setdefault((msgid, context), []).append(f"{filename}:{lineno}")
    return found


def _catalogue(lang: str):
    with open(ROOT / "app" / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=lang)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_in_the_sources_is_translated(lang):
    catalogue = _catalogue(lang)
    missing = []
    for (msgid, context), places in sorted(extracted_messages().items()):
        entry = catalogue.get(msgid, context=context)
        strings = entry.string if entry else None
        strings = strings if isinstance(strings, (tuple, list)) else [strings]
        if entry is None or entry.fuzzy or not all(s and s.strip() for s in strings):
            why = "missing" if entry is None else "fuzzy" if entry.fuzzy else "empty"
            missing.append(f"  {why}: {msgid!r}  ({', '.join(places[:3])})")
    assert not missing, (
        f"{len(missing)} message(s) not translated in app/translations/{lang}/LC_MESSAGES/"
        f"messages.po (run `make translations-update`, then fill in msgstr):\n"
        + "\n".join(missing))


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders_of_their_messages(lang):
    problems = [f"  {message.id!r}: {'; '.join(map(str, errors))}"
                for message, errors in _catalogue(lang).check()]
    assert not problems, "translations that would break at run time:\n" + "\n".join(problems)


# --- Vietnamese typed straight into templates --------------------------------------------
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
TRANS_BLOCK = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", re.S)
JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description",
                      "aria-roledescription", "value", "content", "label"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}


def _blank(match: re.Match) -> str:
    """Blank Jinja out, keeping line numbers."""
    return "\n" * match.group().count("\n") or " "


def _without_jinja(source: str) -> str:
    source = JINJA_COMMENT.sub(_blank, source)
    source = TRANS_BLOCK.sub(_blank, source)
    return JINJA_TAG.sub(_blank, source)


class _VisibleText(HTMLParser):
    """Text and visible attributes outside scripts, styles and elements marked with `lang`
    (a language's own name, like "Tiếng Việt" on the language switch, stays untranslated)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        own_language = "lang" in attributes and tag != "html"
        if not self._skipping and not own_language:
            for name, value in attrs:
                if name in VISIBLE_ATTRIBUTES and value and VIETNAMESE_WORD.search(value):
                    self.found.append((self.getpos()[0], f'{name}="{value.strip()}"'))
        if tag not in VOID_ELEMENTS and (tag in ("script", "style") or own_language
                                         or self._skipping):
            self._skipping.append(tag)

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping and VIETNAMESE_WORD.search(data):
            line = self.getpos()[0]
            for offset, text in enumerate(data.split("\n")):
                if VIETNAMESE_WORD.search(text):
                    self.found.append((line + offset, text.strip()))


GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}


def _unwrapped_jinja_strings(source: str) -> list[tuple[int, str]]:
    """Vietnamese string literals inside {{ }}/{% %} not given to _(), e.g. a field's hint."""
    tree = Environment(extensions=["jinja2.ext.i18n"]).parse(source)
    wrapped = {id(arg) for call in tree.find_all(nodes.Call)
               if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT_CALLS
               for arg in call.args}
    return [(const.lineno, const.value) for const in tree.find_all(nodes.Const)
            if isinstance(const.value, str) and id(const) not in wrapped
            and VIETNAMESE_WORD.search(const.value)]


def untranslated_in_template(source: str, html: bool = True) -> list[tuple[int, str]]:
    """(line, text) of Vietnamese a person would read that no `_()`/trans block wraps."""
    found = _unwrapped_jinja_strings(source)
    text = _without_jinja(source)
    if not html:
        found += [(n, line.strip()) for n, line in enumerate(text.split("\n"), 1)
                  if VIETNAMESE_WORD.search(line)]
        return sorted(found)
    parser = _VisibleText()
    parser.feed(text)
    parser.close()
    return sorted(found + parser.found)


def test_the_template_check_finds_vietnamese_typed_outside_translation_calls():
    source = """<h1>{{ _("Đăng nhập") }}</h1>
<p>Xin chào</p>{# ghi chú: không hiển thị #}
<button lang="vi">Tiếng Việt</button>
<input placeholder="Số điện thoại">
{% trans %}Đã gửi{% endtrans %}<script>var a = "ừ";</script>
{{ field(form.phone, hint=_("Ví dụ: 0912 345 678"), attrs={"inputmode": "tel"}) }}
{{ field(form.name, hint="Họ và tên đầy đủ") }}"""
    assert untranslated_in_template(source) == [(2, "Xin chào"),
                                                (4, 'placeholder="Số điện thoại"'),
                                                (7, "Họ và tên đầy đủ")]
    assert untranslated_in_template("{{ _('Chào') }}\nChào bà", html=False) == [(2, "Chào bà")]


def test_templates_show_no_vietnamese_text_outside_translation_calls():
    problems = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        for line, text in untranslated_in_template(path.read_text(encoding="utf-8"),
                                                   html=path.suffix == ".html"):
            problems.append(f"  {path.relative_to(ROOT)}:{line}: {text[:100]}")
    assert not problems, ("Vietnamese text not wrapped in {{ _(\"...\") }} (so it can never "
                          "be translated):\n" + "\n".join(problems))


# --- Vietnamese typed straight into messages in the code ------------------------------------
MESSAGE_CALLS = {"flash", "ValidationError", "StopValidation", "error_response"}


def _literal_text(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return None


def _call_name(func) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.attr if isinstance(func.value, ast.Attribute) else ""
        return f"{owner}.{func.attr}" if owner == "errors" else func.attr
    return ""


def untranslated_in_code(source: str) -> list[tuple[int, str]]:
    """(line, text) of Vietnamese literals given to what people read: flash(), form errors,
    validator messages, field labels. Data (names, seed catalogue) is not looked at."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node.func)
        shown = []
        if name in MESSAGE_CALLS or name == "errors.append":
            shown += node.args + [k.value for k in node.keywords]
        elif name.endswith("Field"):
            shown += node.args[:1] + [k.value for k in node.keywords
                                      if k.arg in ("label", "description")]
        shown += [k.value for k in node.keywords if k.arg == "message"]
        for arg in shown:
            text = _literal_text(arg)
            if text and VIETNAMESE_WORD.search(text):
                found.append((arg.lineno, text))
    return sorted(found)


def test_the_code_check_finds_vietnamese_messages_outside_translation_calls():
    source = """
flash(_("Đã lưu."))
flash("Đã lưu.", "success")
name = StringField("Họ và tên", validators=[Length(max=5, message="Quá dài")])
ok = StringField(_l("Họ và tên"))
form.phone.errors.append(f"Số {x} đã có")
resident = Resident(full_name="Nguyễn Thị Bình")
"""
    assert untranslated_in_code(source) == [(3, "Đã lưu."), (4, "Họ và tên"), (4, "Quá dài"),
                                            (6, "Số  đã có")]


def test_code_shows_no_vietnamese_messages_outside_translation_calls():
    problems = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for line, text in untranslated_in_code(path.read_text(encoding="utf-8")):
            problems.append(f"  {path.relative_to(ROOT)}:{line}: {text[:100]!r}")
    assert not problems, ("Vietnamese messages not wrapped in _() / _l() (so they can never "
                          "be translated):\n" + "\n".join(problems))
