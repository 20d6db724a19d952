"""Bytes on the wire for the first load of a page (HTML + its CSS/JS) and for htmx fragments.

Measured through the app itself (Flask test client), which compresses its responses:
the figure is the gzip-compressed body plus the response headers, as a browser that
accepts gzip receives them on a first visit (empty cache). Brotli sizes (what most
browsers get over HTTPS) and uncompressed sizes are given beside.

    python -m bench.page_weight [--db URL]
"""
from __future__ import annotations

import argparse
from html.parser import HTMLParser
from urllib.parse import urlsplit

from bench.actions import ACTIONS, forget_own_hand_backs, test_client_sender
from bench.common import DEFAULT_SQLITE, data_scale, db_label, save
from bench.pages import PAGES, placeholders, resolve


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and {"stylesheet", "icon", "preload", "modulepreload"} & set(
                (a.get("rel") or "").split()):
            self.urls.append(a.get("href"))
        elif tag in ("script", "img") and a.get("src"):
            self.urls.append(a["src"])


def _head_bytes(response) -> int:
    status = f"HTTP/1.1 {response.status}\r\n"
    return len(status) + sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items()) + 2


def weigh(client, url: str, headers: dict | None = None, action=None) -> dict:
    """Sizes of one response in each encoding; a write page's action builds each request."""
    sizes = {}
    for i, encoding in enumerate(("gzip", "br", "identity")):
        method, data = "GET", None
        if action is not None:
            call = action.call(i)
            method, url, data, headers = call.method, call.url, call.data, call.headers
        response = client.open(url, method=method, data=data,
                               headers={"Accept-Encoding": encoding, **(headers or {})})
        body = response.get_data()
        sizes[encoding] = len(body)
        if encoding == "gzip":
            sizes["headers"] = _head_bytes(response)
            sizes["status"] = response.status_code
            sizes["content_encoding"] = response.headers.get("Content-Encoding", "none")
            sizes["html"] = body if response.mimetype == "text/html" else None
        if action is not None:
            # Only the uncompressed body can be read for what comes next.
            action.after(test_client_sender(client), response.status_code,
                         response.get_data() if encoding == "identity" else b"")
        response.close()
    return sizes


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=DEFAULT_SQLITE)
    args = parser.parse_args(argv)

    from bench.clients import in_process_app, test_client_for

    forget_own_hand_backs(args.db)
    app = in_process_app(args.db)
    values = placeholders(args.db)
    clients: dict = {}
    first_loads, fragments = [], []
    for page in PAGES:
        if not (page.first_load or page.fragment):
            continue
        if page.role not in clients:
            clients[page.role] = test_client_for(app, page.role)
        client = clients[page.role]
        url = resolve(page, values)
        if page.fragment:
            action = None
            if page.action:
                action = ACTIONS[page.action]()
                action.setup(test_client_sender(client), values)
                url = f"POST {page.url.replace('{{id}}', '{id}')}"
            w = weigh(client, url, {"HX-Request": "true"}, action)
            w.pop("html")
            fragments.append({"page": page.name, "url": url, **w})
            continue
        # The page's body is gzipped HTML; parse the plain one for its assets.
        plain = client.get(url).get_data(as_text=True)
        w = weigh(client, url)
        w.pop("html")
        finder = _Assets()
        finder.feed(plain)
        assets = []
        for asset in dict.fromkeys(u for u in finder.urls if u):
            path = urlsplit(asset)
            if path.netloc:  # never fetched from elsewhere
                assets.append({"url": asset, "external": True})
                continue
            a = weigh(client, path.path + (f"?{path.query}" if path.query else ""))
            a.pop("html")
            assets.append({"url": asset, **a})
        local = [a for a in assets if not a.get("external")]
        total = {
            "gzip_wire": w["gzip"] + w["headers"] + sum(a["gzip"] + a["headers"] for a in local),
            "gzip_bodies": w["gzip"] + sum(a["gzip"] for a in local),
            "br_bodies": w["br"] + sum(a["br"] for a in local),
            "identity_bodies": w["identity"] + sum(a["identity"] for a in local),
        }
        first_loads.append({"page": page.name, "url": url, "role": page.role or "-",
                            "document": w, "assets": assets, "total": total})
        print(f"  {page.name:<22} first load {total['gzip_wire'] / 1024:6.1f} KB gzip on the wire "
              f"({total['identity_bodies'] / 1024:.1f} KB uncompressed)")
    save("page_weight", {"database": db_label(args.db), "scale": data_scale(args.db),
                         "first_loads": first_loads, "fragments": fragments})


if __name__ == "__main__":
    main()
