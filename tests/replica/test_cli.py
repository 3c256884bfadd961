"""`python -m ingestion.spotify_replica`: serves until Ctrl-C, prints URLs and credentials."""

import signal
import subprocess
import sys
from pathlib import Path

import requests

from ingestion.spotify_replica import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN

ROOT = Path(__file__).parents[2]


def test_module_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ingestion.spotify_replica", "--mode", "legacy", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        output = "".join(lines)
        for secret in (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN):
            assert secret in output
        api = next(line.split()[-1] for line in lines if line.strip().startswith("API:"))
        accounts = api.removesuffix("/v1")
        token = requests.post(
            accounts + "/api/token",
            data={"grant_type": "client_credentials"},
            auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
            timeout=5,
        ).json()["access_token"]
        top50 = requests.get(
            f"{api}/playlists/37i9dQZEVXbMDoHDwVN2tF",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert top50.status_code == 200  # legacy mode serves the editorial playlist
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
        assert "stopped after 2 requests" in rest
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
