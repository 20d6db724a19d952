"""Where the browser tests find Chromium, how they start it, and what happens without it.

The tests drive Debian's own Chromium (`apt-get install chromium`), never a
browser downloaded by Playwright. Without it a developer's `make test` skips
the browser tests and says so; CI (which sets CI=true) fails instead, so a
broken CI image cannot pass silently.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CHROMIUM_PATH = "/usr/bin/chromium"

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

RUN, SKIP, FAIL = "run", "skip", "fail"


@dataclass(frozen=True)
class Verdict:
    action: str  # RUN, SKIP or FAIL
    reason: str = ""


def is_ci(value: str | None) -> bool:
    """CI=true (also 1/yes, any case) means a missing browser is a failure."""
    return (value or "").strip().lower() in ("true", "1", "yes")


def decide(chromium_found: bool, ci: str | None, path: str = CHROMIUM_PATH) -> Verdict:
    """Run the browser tests, skip them (developer machine) or fail them (CI)."""
    if chromium_found:
        return Verdict(RUN)
    missing = (f"Chromium not found at {path}; install it with "
               f"`apt-get install chromium` (Debian's package, not `playwright install`)")
    if is_ci(ci):
        return Verdict(FAIL, f"{missing}. CI=true, so the browser tests fail instead of skipping.")
    return Verdict(SKIP, f"{missing}. Skipped; with CI=true they would fail.")


def current_verdict() -> Verdict:
    path = CHROMIUM_PATH
    return decide(os.access(path, os.X_OK) and Path(path).is_file(), os.environ.get("CI"), path)
