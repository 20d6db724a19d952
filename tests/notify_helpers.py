"""Test helpers of the notify area: local gateways on 127.0.0.1 (so that the real HTTP
and SMTP client code runs), a private Redis, and factories for outbox messages."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import OutboxMessage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalGateway:
    """An HTTP server in a thread that records every POST and answers as told.

    `answer(status, body)` sets the answer for a path; `fail_next(n, status)` makes
    the next n requests fail before the usual answer comes back.
    """

    def __init__(self):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.answers: dict[str, tuple[int, dict]] = {}
        self.failures: list[int] = []
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    payload = json.loads(raw or b"{}")
                except ValueError:
                    payload = {}
                if gateway.delay:
                    time.sleep(gateway.delay)
                with gateway.lock:
                    gateway.requests.append({"path": self.path, "headers": dict(self.headers),
                                             "json": payload})
                    if gateway.failures:
                        status, body = gateway.failures.pop(0), {"error": "busy"}
                    else:
                        status, body = gateway.answers.get(self.path, (200, {"id": "ok"}))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def answer(self, path: str, status: int = 200, body: dict | None = None) -> None:
        self.answers[path] = (status, body if body is not None else {})

    def fail_next(self, count: int, status: int = 503) -> None:
        self.failures.extend([status] * count)

    def received(self, path: str | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if path is None or r["path"] == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(app):
    """SMS at /sms and Zalo at /zalo on a local server; e-mail stays unconfigured."""
    server = LocalGateway()
    server.answer("/zalo", 200, {"error": 0, "message": "Success", "data": {"msg_id": "z1"}})
    server.answer("/sms", 200, {"id": "s1"})
    app.config.update(SMS_GATEWAY_URL=server.url + "/sms", SMS_GATEWAY_KEY="sms-key",
                      SMS_BRAND_NAME="CUNGHOCSO", ZALO_API_URL=server.url + "/zalo",
                      ZALO_ACCESS_TOKEN="zalo-token", ZALO_TEMPLATE_ID="12345",
                      NOTIFY_HTTP_TIMEOUT_SECONDS=5)
    yield server
    server.stop()


class SmtpInbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's naming)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app):
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False,
                      MAIL_USE_SSL=False, MAIL_FROM="Cùng Học Số <no-reply@cunghocso.test>")
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def redis_url():
    """A private Redis for the test run (the queue tests must not share a server)."""
    binary = shutil.which("redis-server")
    assert binary, "the RQ tests need redis-server (apt-get install redis-server)"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def queued(kind: str, *, user=None, resident=None, context=None, **kw) -> OutboxMessage:
    """A message queued the way other areas do it, committed."""
    from app.notify.outbox import notify

    message = notify(kind, user=user, resident=resident, context=context or {}, **kw)
    db.session.commit()
    return message


def later(minutes: float = 0, **kw):
    return utcnow() + timedelta(minutes=minutes, **kw)
