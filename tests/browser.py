"""Headless Debian chromium for looking at pages as a person would."""

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
    "--window-size=1400,900",
    "--virtual-time-budget=10000",
]


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:  # .ci/run installs it; a developer machine may not have it yet
        pytest.fail("chromium is not installed: apt-get install -y chromium (see .ci/run)")
    return path


def dump_dom(url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [chromium(), *_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True,
            text=True,
            timeout=120,
        )
    return result.stdout


def screenshot(url: str, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium(), *_FLAGS, f"--user-data-dir={profile}", f"--screenshot={target}", url],
            capture_output=True,
            timeout=120,
        )
    return target
