"""No secret on disk or on screen: after a successful and a failing run, every file the
pipeline wrote (lake, warehouse, dlt state and traces, dbt target and logs) and
everything it printed is searched for every secret it used."""

import os
import subprocess
from pathlib import Path

import pytest

from ingestion.spotify_replica import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from tests.cli import SPOTIFY_ELT

pytestmark = pytest.mark.slow

WEBHOOK = "https://hooks.example.invalid/services/T000/B000/not-a-real-webhook-secret"


def _run(data_dir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SOURCES__SPOTIFY__", "SPOTIFY_ELT_"))
    }
    environment.update(env)
    return subprocess.run(
        [str(SPOTIFY_ELT), *args, "--data-dir", str(data_dir)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _files_holding(folder: Path, secret: str) -> list[str]:
    needle = secret.encode()
    return [
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    ]


def test_no_secret_in_any_output_after_a_good_and_a_failing_run(replica_factory, tmp_path):
    server = replica_factory()
    env = {
        "SOURCES__SPOTIFY__CLIENT_ID": DEMO_CLIENT_ID,
        "SOURCES__SPOTIFY__CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "SOURCES__SPOTIFY__REFRESH_TOKEN": DEMO_REFRESH_TOKEN,
        "SOURCES__SPOTIFY__PLAYLISTS": ",".join(server.user_playlist_ids[:2]),
        "SPOTIFY_API_BASE_URL": server.api_base_url,
        "SPOTIFY_ACCOUNTS_BASE_URL": server.accounts_base_url,
        "SPOTIFY_ELT_ALERT_WEBHOOK_URL": WEBHOOK,
    }
    data_dir = tmp_path / "data"
    good = _run(data_dir, env, "run")
    assert good.returncode == 0, good.stderr[-3000:]
    # A failing run: a playlist that does not exist, with debug logging on.
    failing = subprocess.run(
        [str(SPOTIFY_ELT), "-v", "run", "--data-dir", str(data_dir)],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("SOURCES__SPOTIFY__")},
            **env,
            "SOURCES__SPOTIFY__PLAYLISTS": "0000000000000000000000",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert failing.returncode != 0

    access_tokens = list(server._tokens)  # noqa: SLF001 – what the replica issued to us
    assert access_tokens
    secrets = {
        "client secret": DEMO_CLIENT_SECRET,
        "refresh token": DEMO_REFRESH_TOKEN,
        "webhook URL": WEBHOOK,
        **{f"access token {index}": token for index, token in enumerate(access_tokens)},
    }
    printed = good.stdout + good.stderr + failing.stdout + failing.stderr
    places = {
        "lake": data_dir / "lake",
        "warehouse": data_dir / "warehouse.duckdb",
        "dlt state and traces": data_dir / "pipelines",
        "dbt target and logs": data_dir / "dbt",
    }
    assert all(path.exists() for path in places.values()), places
    leaks = [f"{name} printed" for name, secret in secrets.items() if secret in printed]
    for name, secret in secrets.items():
        leaks += [f"{name} in {found}" for found in _files_holding(data_dir, secret)]
    assert not leaks, leaks
