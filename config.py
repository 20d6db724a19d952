"""Configuration read from the environment.

`create_app()` picks `ProductionConfig` when `APP_ENV=production`, otherwise
`Config` (development).  Tests pass `TestConfig` or a mapping.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def database_url(url: str | None) -> str:
    """Normalise a DATABASE_URL so that PostgreSQL goes through psycopg 3."""
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'cunghocso.sqlite3'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def development_secret_key() -> str:
    """A key generated once into instance/ so development sessions survive restarts."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    APP_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Benchmarks of the public forms switch limits off on their own loopback server;
    # production always limits (see ProductionConfig).
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") not in ("0", "false", "False")
    # How many reverse proxies stand in front of the app (nginx: 1). Their X-Forwarded-For
    # and X-Forwarded-Proto are then believed, so that rate limits key on the visitor's own
    # address; 0 (the default) believes none of them, so a forged header changes nothing.
    # Never set it higher than the proxies really there.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
    LANGUAGES = ("vi", "en")

    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, which has its own lifetime
    SESSION_COOKIE_NAME = "chs_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)  # absolute lifetime of a login
    # Send the cookie only when the session changed: an inline-validation request racing a
    # form post must not overwrite the cookie that carries the post's flash message.
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_IDLE_TIMEOUT = timedelta(hours=2)  # inactivity timeout
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    # argon2id parameters (OWASP: m >= 19 MiB, t >= 2, p = 1 is the floor).
    PASSWORD_TIME_COST = 3
    PASSWORD_MEMORY_COST = 65536  # KiB
    PASSWORD_PARALLELISM = 4

    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # The whole installation's roll-up is counted ahead of time; older than this, again.
    COVERAGE_SNAPSHOT_MINUTES = int(os.environ.get("COVERAGE_SNAPSHOT_MINUTES", "15"))

    # Notifications. A channel without its settings is unused in production; in development
    # its messages are shown on the administrators' outbox page instead of being sent.
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL") or None
    SMS_GATEWAY_KEY = os.environ.get("SMS_GATEWAY_KEY") or None
    SMS_BRAND_NAME = os.environ.get("SMS_BRAND_NAME", "CungHocSo")
    ZALO_API_URL = os.environ.get("ZALO_API_URL") or None
    ZALO_ACCESS_TOKEN = os.environ.get("ZALO_ACCESS_TOKEN") or None
    ZALO_TEMPLATE_ID = os.environ.get("ZALO_TEMPLATE_ID") or None
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") not in ("0", "false", "False", "")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") not in ("0", "false", "False", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Cùng Học Số <no-reply@cunghocso.local>")
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "6"))  # per channel
    NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFY_RETRY_BASE_SECONDS", "60"))
    NOTIFY_CLAIM_TIMEOUT_SECONDS = 300  # a run that died while sending frees its message
    NOTIFY_HTTP_TIMEOUT_SECONDS = 10
    NOTIFY_DIGEST_HOUR = int(os.environ.get("NOTIFY_DIGEST_HOUR", "18"))  # local time


class ProductionConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    RATELIMIT_ENABLED = True


class TestConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL")) if os.environ.get(
        "TEST_DATABASE_URL") else "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    # Cheaper hashing keeps the suite quick; production strength is asserted separately.
    PASSWORD_TIME_COST = 1
    PASSWORD_MEMORY_COST = 1024
    PASSWORD_PARALLELISM = 1


def config_for_environment() -> type[Config]:
    return ProductionConfig if os.environ.get("APP_ENV") == "production" else Config
