"""Without Chromium: a developer's run skips the browser tests and says why; CI fails them."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import chromium

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_a_developer_machine_without_chromium_skips_and_says_why(ci):
    verdict = chromium.decide(chromium_found=False, ci=ci)
    assert verdict.action == chromium.SKIP
    assert "/usr/bin/chromium" in verdict.reason and "apt-get install chromium" in verdict.reason


@pytest.mark.parametrize("ci", ["true", "TRUE", "1", "yes"])
def test_ci_without_chromium_fails(ci):
    verdict = chromium.decide(chromium_found=False, ci=ci)
    assert verdict.action == chromium.FAIL
    assert "CI=true" in verdict.reason


@pytest.mark.parametrize("ci", [None, "true"])
def test_with_chromium_the_browser_tests_run(ci):
    assert chromium.decide(chromium_found=True, ci=ci).action == chromium.RUN


# A real pytest run on a machine where Chromium is missing (its path made to point nowhere).
CONFTEST = """
from tests.browser import chromium
chromium.CHROMIUM_PATH = "/nonexistent/chromium"
from tests.browser.conftest import browser, pytest_collection_modifyitems, pytest_terminal_summary
"""
TEST = """
import pytest

@pytest.mark.browser
def test_needs_a_browser(browser):
    pass

def test_plain():
    pass
"""


def _run_pytest_without_chromium(tmp_path, ci: str | None):
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -ra\nmarkers =\n    browser: x\n")
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_sample.py").write_text(TEST)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TEST_DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_make_test_without_chromium_passes_and_says_the_browser_tests_were_skipped(tmp_path):
    run = _run_pytest_without_chromium(tmp_path, ci=None)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed, 1 skipped" in run.stdout
    assert "1 browser test SKIPPED: Chromium not found at /nonexistent/chromium" in run.stdout
    assert "SKIPPED [1]" in run.stdout  # pytest's own line, with the reason


def test_ci_without_chromium_fails_the_browser_tests(tmp_path):
    run = _run_pytest_without_chromium(tmp_path, ci="true")

    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed, 1 error" in run.stdout
    assert "1 browser test FAILED: Chromium not found at /nonexistent/chromium" in run.stdout
    assert "CI=true, so the browser tests fail instead of skipping" in run.stdout
