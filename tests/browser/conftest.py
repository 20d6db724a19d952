"""Browser tests: the real app served on 127.0.0.1, driven by Debian's Chromium.

Fixtures
- `live_server`: the test's `app` (same database, same factories) served by a
  real threaded werkzeug server; `live_server.url("/path")`.
- `page` / `nojs_page`: a phone (360×740, touch, device scale 2) with and
  without JavaScript; `open_phone(javascript=True)` opens more, e.g. a second
  person. Each has its own cookies.
- `demo`: the demo data (app.seeding.demo.seed_demo), committed.

Whatever the test added to the database is committed before every request the
browser makes (as the `client` fixture does), so a test can seed with `make`
and go straight to the browser; the server never waits on the test's open
transaction.

Without /usr/bin/chromium the browser tests are skipped with a visible line in
the summary, except with CI=true, where they fail.

A journey reads like this (helpers in tests/browser/helpers.py):

    pytestmark = pytest.mark.browser

    def test_volunteer_accepts_a_request_near_them(page, open_phone, live_server, make):
        group = make.group()
        volunteer = make.volunteer(groups=[group])
        login(page, live_server, volunteer.phone, Factory.PASSWORD)
        page.get_by_role("link", name="Yêu cầu gần bạn").click()
        shot(page, "requests-near-you")       # artifacts/screenshots/<test>/01-….png
        assert_accessible(page)               # no serious/critical axe violation
        second = open_phone()                 # another person, own cookies
"""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.browser import chromium
from tests.browser.helpers import start_screenshots

VERDICT = pytest.StashKey[tuple]()

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
}


# --- run, skip or fail ----------------------------------------------------------------
@pytest.hookimpl(tryfirst=True)  # before `-m` selection
def pytest_itemcollected(item):
    # A test that opens the browser is a browser test, marked or not (`-m "not browser"`
    # must never start Chromium).
    if "browser" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("browser"):
        item.add_marker(pytest.mark.browser)


@pytest.hookimpl(trylast=True)  # after `-m`/`-k` deselection, so the count is right
def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if not browser_items:
        return
    verdict = chromium.current_verdict()
    config.stash[VERDICT] = (verdict, len(browser_items))
    if verdict.action == chromium.SKIP:
        for item in browser_items:
            item.add_marker(pytest.mark.skip(reason=verdict.reason))


def pytest_terminal_summary(terminalreporter, config):
    verdict, count = config.stash.get(VERDICT, (None, 0))
    if verdict is None or verdict.action == chromium.RUN:
        return
    word = "SKIPPED" if verdict.action == chromium.SKIP else "FAILED"
    tests = "browser test" if count == 1 else "browser tests"
    terminalreporter.write_sep("=", f"{count} {tests} {word}: {verdict.reason}",
                               yellow=verdict.action == chromium.SKIP,
                               red=verdict.action == chromium.FAIL, bold=True)


@pytest.fixture(scope="session")
def browser(pytestconfig):
    """One Chromium for the whole run (contexts keep the tests apart)."""
    verdict, _count = pytestconfig.stash.get(VERDICT, (chromium.current_verdict(), 0))
    if verdict.action == chromium.FAIL:
        pytest.fail(verdict.reason, pytrace=False)
    if verdict.action == chromium.SKIP:
        pytest.skip(verdict.reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # a loaded CI machine is slower than a laptop

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium.CHROMIUM_PATH,
                                             headless=True, args=chromium.LAUNCH_ARGS)
        yield browser
        browser.close()


# --- the server -------------------------------------------------------------------------
class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass  # one line per request would drown pytest's output; errors still log


class _Dispatcher:
    """The server lives for the whole run; each test plugs its own `app` in."""

    def __init__(self):
        self.app = None
        self._busy = 0
        self._idle = threading.Condition()

    def __call__(self, environ, start_response):
        app = self.app
        if app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no test is running"]
        with self._idle:
            self._busy += 1
        try:
            # Run the request to the end here, so that wait_idle() covers it all.
            body = app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                if hasattr(body, "close"):
                    body.close()
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 10) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._busy == 0, timeout)


@pytest.fixture(scope="session")
def _http_server():
    dispatcher = _Dispatcher()
    server = make_server("127.0.0.1", 0, dispatcher, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="live-server", daemon=True)
    thread.start()
    yield server, dispatcher
    server.shutdown()
    server.server_close()
    thread.join(5)


class LiveServer:
    def __init__(self, base_url: str, app):
        self.base_url = base_url
        self.app = app

    def url(self, path: str = "/") -> str:
        return self.base_url + path


@pytest.fixture
def live_server(app, _http_server):
    """The test's app, served for real on 127.0.0.1 (a free port)."""
    server, dispatcher = _http_server
    base_url = f"http://127.0.0.1:{server.port}"
    app.config["PUBLIC_BASE_URL"] = base_url  # links in QR codes and messages point here
    dispatcher.app = app
    yield LiveServer(base_url, app)
    dispatcher.app = None  # later requests get a 503 …
    dispatcher.wait_idle()  # … and none may still be writing while the tables are emptied


@pytest.fixture
def demo(app):
    """The demo wards, groups, accounts (password DEMO_PASSWORD) and activity."""
    from app.seeding.demo import seed_demo
    from app.extensions import db

    data = seed_demo()
    db.session.commit()
    return data


# --- phones -------------------------------------------------------------------------------
@pytest.fixture
def open_phone(browser, live_server, app):
    """Open a new phone (its own cookies): `open_phone()` or `open_phone(javascript=False)`.

    Every page fails its test on an uncaught script error or a CSP violation.
    """
    from app.extensions import db

    contexts, problems = [], []
    test_session = db.session()

    def commit_then_continue(route):
        # Playwright calls this outside the test's app context (in its own greenlet):
        # commit the test's session, so the server sees what the test made and never
        # waits on a lock the test holds.
        with app.app_context():
            try:
                test_session.commit()
            except Exception as error:  # shown at the end of the test, not as a hung request
                test_session.rollback()
                problems.append(f"the test's data could not be committed before "
                                f"{route.request.url}: {error!r}")
                route.abort()
                return
        route.continue_()

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP violation: {message.text} {message.location}")

    def watch(page):
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", on_console)

    def open_(javascript: bool = True, **options):
        context = browser.new_context(java_script_enabled=javascript, **{**PHONE, **options})
        context.set_default_timeout(10_000)
        context.route(f"{live_server.base_url}/**", commit_then_continue)
        context.on("page", watch)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()
    assert not problems, "the browser reported:\n" + "\n".join(problems)


@pytest.fixture
def page(open_phone):
    """A 360×740 phone with JavaScript (htmx live)."""
    return open_phone()


@pytest.fixture
def nojs_page(open_phone):
    """A 360×740 phone with JavaScript disabled: plain form posts and redirects."""
    return open_phone(javascript=False)


@pytest.fixture(autouse=True)
def _screenshots_per_test(request):
    if request.node.get_closest_marker("browser"):
        start_screenshots(request.node.nodeid)
