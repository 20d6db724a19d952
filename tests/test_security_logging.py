"""Phone numbers never reach the logs, whoever logs them and however they are written."""
from __future__ import annotations

import logging

import pytest

from app.logmask import PhoneMaskingFilter, mask_phones


@pytest.mark.parametrize("text, masked", [
    ("+84912345678", "***678"),
    ("84912345678", "***678"),
    ("0912345678", "***678"),
    ("0912 345 678", "***678"),
    ("0912.345.678", "***678"),
    ("0912-345-678", "***678"),
    ("+84 912 345 678", "***678"),
    ("(+84) 912 345 678", "***678"),
    ("+84(0)912345678", "***678"),
    ("024 3825 1234", "***234"),  # a landline is someone's number too
    ("GET /tra-cuu?phone=%2B84912345678 HTTP/1.1", "GET /tra-cuu?phone=***678 HTTP/1.1"),
    ("phones: +84912345678,0987654321.", "phones: ***678,***321."),
])
def test_vietnamese_phone_numbers_are_masked_however_they_are_written(text, masked):
    assert mask_phones(text) == masked


@pytest.mark.parametrize("text", [
    "took 0.123456789s", "2026-05-12 09:00:00,123", "user=12 request=T00042",
    "id 12345678901", "version 1.0912345678", "Nguyễn Thị Bình",
])
def test_other_numbers_are_left_alone(text):
    assert mask_phones(text) == text


def test_every_logger_is_masked_including_arguments(app, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("some.library").info("sms to %s failed", "+84912345678")
    app.logger.warning("resident %(phone)s", {"phone": "0912 345 678"})
    logging.getLogger("gunicorn.access").info('"%s"', "GET /?phone=%2B84912345678")
    assert "912" not in caplog.text and "345" not in caplog.text
    assert caplog.text.count("***678") == 3


def test_tracebacks_are_masked_too(app, caplog):
    try:
        raise ValueError("duplicate phone +84912345678")
    except ValueError:
        logging.getLogger("cunghocso").exception("could not save")
    assert "Traceback" in caplog.text and "ValueError" in caplog.text
    assert "+84912345678" not in caplog.text and "***678" in caplog.text


def test_sql_parameters_logged_by_sqlalchemy_are_masked(app, make, db, caplog):
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    make.user(name="Người Thử", phone="+84912345678")
    db.session.commit()
    assert "INSERT INTO user_account" in caplog.text
    assert "+84912345678" not in caplog.text and "***678" in caplog.text


def test_the_filter_masks_records_made_before_the_app_started():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s", ("0912345678",), None)
    assert PhoneMaskingFilter().filter(record)
    assert record.getMessage() == "call ***678"


def test_an_unexpected_error_about_a_phone_number_is_logged_without_it(app, client, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/_thu/<phone>")
    def _fails(phone):
        raise RuntimeError(f"duplicate key (phone)=({phone})")

    response = client.get("/_thu/+84912345678")
    assert response.status_code == 500
    assert "unexpected error on GET /_thu/***678" in caplog.text
    assert "RuntimeError: duplicate key (phone)=(***678)" in caplog.text
    assert "912345678" not in caplog.text
