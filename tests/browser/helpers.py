"""Helpers for browser tests: screenshots, accessibility scans, logging in, text scaling."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

_steps = {"dir": SCREENSHOTS, "count": 0}


def start_screenshots(nodeid: str) -> None:
    """Each test gets its own folder, emptied at the start, so it shows only this run."""
    name = re.sub(r"[^\w.-]+", "_", nodeid.split("tests/browser/")[-1].replace(".py::", "__"))
    folder = SCREENSHOTS / name.strip("_")
    shutil.rmtree(folder, ignore_errors=True)
    _steps.update(dir=folder, count=0)


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot of this step: artifacts/screenshots/<test>/<nn>-<name>.png."""
    _steps["count"] += 1
    folder = _steps["dir"]
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^\w.-]+", "-", name)
    path = folder / f"{_steps['count']:02d}-{slug}.png"
    # caret="initial": hiding the caret leaves style="" on inputs, which htmx then copies
    # while settling a swap, and the CSP (rightly) reports as an inline style.
    # scale="css": one image pixel per CSS pixel, quicker to take and plenty to look at.
    page.screenshot(path=str(path), full_page=True, caret="initial", scale="css",
                    timeout=30_000)  # a long page on a busy machine
    return path


# --- accessibility -----------------------------------------------------------------
BLOCKING_IMPACTS = ("serious", "critical")
_axe = Axe()  # axe-core's axe.min.js ships inside the package: nothing is downloaded
# axe's defaults (WCAG 2.0/2.1 A and AA, best practices) plus WCAG 2.2's touch-target size,
# which axe leaves off by default and which matters on a phone.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def accessibility_violations(page: Page, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """axe-core's violations of the page as it is now (after any htmx swap), by impact.

    The script is injected with page.evaluate, which goes through the DevTools
    protocol: the app's CSP (script-src 'self') governs the page's own scripts,
    not the test's, so the scan needs no `bypass_csp` and runs in the same
    context as the journey, with the real CSP still enforced on the app.
    """
    # A page reached through a redirect may be scanned before its stylesheet has arrived on
    # a busy machine; unstyled, every link is a 17 px touch target. Scan it as people see it:
    # once every stylesheet is in (not the whole load event, which a slow image or a poll
    # can hold back).
    page.wait_for_function(
        "[...document.querySelectorAll('link[rel=stylesheet]')].every(link => link.sheet)")
    if not page.evaluate("typeof window.axe === 'object'"):  # once per document
        page.evaluate(_axe.axe_script)
    response = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [v for v in response["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {node['html'][:160]}")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical axe-core violation, listing each one readably."""
    violations = accessibility_violations(page)
    assert not violations, (f"{len(violations)} serious/critical accessibility violation(s) "
                            f"on {page.url}:\n{describe_violations(violations)}")


# --- people ------------------------------------------------------------------------
def login(page: Page, live_server, phone: str, password: str) -> None:
    """Sign in through the real login form, as a person would, and wait for the home page."""
    page.goto(live_server.url("/dang-nhap"))
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label("Mật khẩu").fill(password)
    page.locator("#login-form").get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#messages")).to_contain_text("Xin chào")


# --- large text --------------------------------------------------------------------
def scale_text(page: Page, percent: int = 200) -> None:
    """Make the text `percent`% of normal, like a phone's accessibility text size.

    Setting the root font size through the CSSOM is allowed by the CSP (an inline
    style attribute or a <style> tag would not be); every size in app.css is in rem.
    """
    page.evaluate("p => { document.documentElement.style.fontSize = p + '%'; }", percent)


def horizontal_overflow(page: Page) -> list[str]:
    """What sticks out past the right edge (the page would scroll sideways); empty when none.

    Content parked off-screen to the left (skip link, honeypot) and tables inside their
    own scrolling `.table-wrap` are fine.
    """
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const wide = [];
        if (document.documentElement.scrollWidth > width) {
            wide.push(`the page is ${document.documentElement.scrollWidth}px wide, ` +
                      `the screen ${width}px`);
        }
        for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (box.width && box.right > width + 1 && box.left < width &&
                    !el.closest('.table-wrap')) {
                const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
                wide.push(`${name} spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
            }
        }
        return wide;
    }""")
