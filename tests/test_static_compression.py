"""Pages, CSS and JS travel compressed to browsers that accept it; small answers stay plain."""
from __future__ import annotations

import gzip
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parent.parent


def test_home_page_is_sent_gzipped_to_a_browser_that_accepts_gzip(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "HX-Request" in response.headers["Vary"]
    body = response.get_data()
    assert int(response.headers["Content-Length"]) == len(body)
    html = gzip.decompress(body).decode()
    assert "Cùng Học Số" in html
    assert len(body) < len(html.encode()) / 2


def test_brotli_is_preferred_when_the_browser_offers_it(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.headers["Content-Encoding"] == "br"
    assert "Cùng Học Số" in brotli.decompress(response.get_data()).decode()


def test_stylesheet_and_htmx_are_compressed_and_still_cached_for_a_year(client):
    for path, file in (("/static/css/app.css", "static/css/app.css"),
                       ("/static/vendor/htmx-2.0.11.min.js", "static/vendor/htmx-2.0.11.min.js")):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "max-age=31536000" in response.headers["Cache-Control"]
        original = (ROOT / file).read_bytes()
        compressed = response.get_data()
        assert gzip.decompress(compressed) == original
        assert len(compressed) < len(original) * 0.6
        response.close()


def test_a_browser_without_compression_gets_plain_text(client):
    response = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert "Cùng Học Số" in response.get_data(as_text=True)
    assert "Content-Encoding" not in client.get("/").headers


def test_tiny_answers_are_not_worth_compressing(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    assert response.get_json()["status"] == "ok"


def test_a_revalidated_stylesheet_answers_304_without_a_body(client):
    first = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    first.close()
    again = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip",
                                                       "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    again.close()
