"""Headless Debian chromium, for looking at pages as a person would.

`make test` installs chromium when it is missing; a test that needs it fails
(never skips) without it, so a green run always means the pages were looked at.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium)")
    return path


def run_chromium(url: str, *flags: str, window: str = "1400,900", budget_ms: int = 10_000) -> str:
    """Open `url` in a throw-away profile; `budget_ms` of virtual time lets the page's
    scripts fetch and lay out before chromium dumps or screenshots it."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                chromium(),
                *_FLAGS,
                f"--window-size={window}",
                f"--virtual-time-budget={budget_ms}",
                f"--user-data-dir={profile}",
                *flags,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    return result.stdout


def dump_dom(url: str, **options: object) -> str:
    return run_chromium(url, "--dump-dom", **options)


def screenshot(url: str, name: str, **options: object) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    target.unlink(missing_ok=True)
    run_chromium(url, f"--screenshot={target}", **options)
    return target
