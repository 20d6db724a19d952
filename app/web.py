"""Request hooks, security headers and error pages shared by every area (template helpers:
app.templating)."""
from __future__ import annotations

import logging

from flask import (Flask, Response, current_app, flash, g, make_response, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from jinja2_fragments.flask import render_block
from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException

from app.database import read_only_transaction
from app.extensions import compress, htmx, login

log = logging.getLogger("cunghocso")

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])

ERROR_TITLES = {
    400: _l("Yêu cầu không hợp lệ"),
    403: _l("Bạn không có quyền xem trang này"),
    404: _l("Không tìm thấy trang"),
    405: _l("Thao tác không được hỗ trợ"),
    413: _l("Nội dung gửi lên quá lớn"),
    422: _l("Thông tin chưa hợp lệ"),
    429: _l("Bạn thao tác quá nhanh"),
    500: _l("Đã có lỗi xảy ra"),
    503: _l("Hệ thống đang tạm gián đoạn"),
}
ERROR_HINTS = {
    400: _l("Trang đã cũ hoặc thông tin gửi lên không đúng. Vui lòng tải lại trang và thử lại."),
    403: _l("Nếu bạn cho rằng đây là nhầm lẫn, hãy liên hệ tổ trưởng hoặc cán bộ phường."),
    404: _l("Địa chỉ có thể đã thay đổi. Hãy quay về trang chủ."),
    405: _l("Vui lòng quay lại trang trước và thử lại."),
    413: _l("Vui lòng rút gọn nội dung và gửi lại."),
    422: _l("Vui lòng kiểm tra lại thông tin."),
    429: _l("Vui lòng đợi một lát rồi thử lại."),
    500: _l("Chúng tôi đã ghi nhận sự cố. Vui lòng thử lại sau ít phút."),
    503: _l("Vui lòng thử lại sau ít phút. Thông tin bạn đã gửi trước đó vẫn được giữ nguyên."),
}


# --- responses -----------------------------------------------------------------
def is_fragment_request() -> bool:
    """An htmx request that wants a fragment (not a history restore)."""
    return bool(htmx) and not htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **context) -> Response:
    """The whole page, or only `block` of it for an htmx request; always `Vary: HX-Request`."""
    if block and is_fragment_request():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def redirect_after_write(url: str) -> Response:
    """303 for a plain form post; `HX-Redirect` for htmx so the whole page changes."""
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
    else:
        response = redirect(url, 303)
    response.vary.add("HX-Request")
    return response


def safe_local_path(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: never "//evil.example",
    "/\\evil.example" or a path with spaces or control characters (browsers drop or
    rewrite those, which can turn a local-looking path into another site)."""
    if (not target or len(target) > 2000 or not target.startswith("/")
            or target[1:2] in ("/", "\\") or "\\" in target
            or any(ch <= " " or ch == "\x7f" for ch in target)):
        return default
    return target


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# --- errors --------------------------------------------------------------------
def is_database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or answered "try later" (not a bug in our SQL)."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)


def error_response(status: int, message: str | None = None) -> Response:
    title = str(ERROR_TITLES.get(status, ERROR_TITLES[500]))
    hint = message or str(ERROR_HINTS.get(status, ERROR_HINTS[500]))
    if htmx:
        # Shown in the page's message area, whatever element made the request.
        body = render_template("errors/_message.html", status=status, title=title, hint=hint)
        response = make_response(body, status)
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
    else:
        body = render_template("errors/error.html", status=status, title=title, hint=hint)
        response = make_response(body, status)
    response.vary.add("HX-Request")
    return no_store(response)


def _static_version(app: Flask, filename: str) -> str | None:
    """A short content hash, so a changed file gets a new URL despite the one-year cache."""
    import hashlib
    import os

    path = os.path.join(app.static_folder, filename)
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return None
    cache = app.extensions.setdefault("static_versions", {})
    cached = cache.get(filename)
    if cached is None or cached[0] != mtime:
        with open(path, "rb") as fh:
            cached = (mtime, hashlib.sha256(fh.read()).hexdigest()[:10])
        cache[filename] = cached
    return cached[1]


def init_app(app: Flask) -> None:
    @app.url_defaults
    def _version_static_urls(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = _static_version(app, values["filename"])
            if version:
                values["v"] = version
    from app import logmask
    logmask.install()
    # Text responses (HTML, CSS, JS, JSON) over 500 bytes are compressed: brotli where the
    # browser takes it, gzip otherwise. Brotli 5 beats gzip 6 on our CSS/JS; 4 does not.
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    compress.init_app(app)

    @app.after_request  # runs before compression (hooks run in reverse order)
    def _buffer_static(response: Response) -> Response:
        # Our static files are small: read them whole (the file is closed at once) so they are
        # compressed like any other body rather than streamed.
        if request.endpoint == "static" and response.direct_passthrough:
            response.direct_passthrough = False
            response.get_data()
        return response

    @app.before_request
    def _mark_read_only():
        g.read_only_token = read_only_transaction.set(
            request.method in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _unmark_read_only(_exc):
        token = g.pop("read_only_token", None)
        if token is not None:
            read_only_transaction.reset(token)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if current_app.config["APP_ENV"] == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint == "static":
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
        elif current_user.is_authenticated or g.get("personal_data"):
            # Pages for signed-in people carry personal data: never kept by browsers or proxies.
            headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(_exc):
        return error_response(400, _("Phiên làm việc đã hết hạn hoặc biểu mẫu đã cũ. "
                                     "Vui lòng tải lại trang rồi gửi lại."))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code in (301, 302, 303, 307, 308):
            return exc
        status = exc.code or 500
        if status == 429:
            log.warning("rate limit hit: %s %s", request.method, request.path)
        return error_response(status if status in ERROR_TITLES else 400)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        from app.extensions import db

        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone; the pool recovers
            db.session.remove()
        if is_database_unavailable(exc):
            log.error("database unavailable: %s", exc.__class__.__name__)
            # The account could not be loaded: show the page as to a guest.
            g._login_user = login.anonymous_user()
            return error_response(503)
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500)

    @login.unauthorized_handler
    def _unauthorized():
        flash(str(login.login_message), "info")
        target = url_for("auth.login", next=request.full_path if request.method == "GET"
                         else None)
        if htmx:
            response = make_response("", 200)
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target)


# --- incoming values ---------------------------------------------------------------------
class _ValuesWithoutNul(ImmutableMultiDict):
    """Query and form values with NUL characters removed: nobody types them, PostgreSQL
    refuses to store them, and they would otherwise turn hostile input into a 500."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        items = (mapping.items(multi=True) if isinstance(mapping, MultiDict)
                 else MultiDict(mapping).items(multi=True))
        super().__init__([(key.replace("\x00", "") if isinstance(key, str) else key,
                           value.replace("\x00", "") if isinstance(value, str) else value)
                          for key, value in items])


class Request(FlaskRequest):
    """The app's request: values arrive without NUL characters (see _ValuesWithoutNul)."""

    parameter_storage_class = _ValuesWithoutNul
