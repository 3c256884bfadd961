"""`spotify-elt` does the same thing from any directory, installed any way.

Paths come from the project home (SPOTIFY_ELT_HOME, else the checkout, else the
current directory for an installed wheel): its `.dlt/` configuration, its `data/`,
and the dbt project of the checkout or the one packaged in the wheel.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.spotify_replica import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from orchestration.config import CHECKOUT_ROOT, Settings
from tests.cli import mart_counts

REPO = CHECKOUT_ROOT


def test_settings_do_not_depend_on_the_working_directory(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SPOTIFY_ELT_HOME", raising=False)
    monkeypatch.delenv("SPOTIFY_ELT_DATA_DIR", raising=False)
    monkeypatch.delenv("SPOTIFY_ELT_DBT_PROJECT_DIR", raising=False)
    resolved = []
    for directory in (REPO, REPO / "dbt_project", tmp_path):
        monkeypatch.chdir(directory)
        resolved.append(Settings.resolve())
    assert len(set(resolved)) == 1
    assert resolved[0].data_dir == REPO / "data"
    assert resolved[0].dbt_project_dir == REPO / "dbt_project"


def _home_with_credentials(home: Path, server) -> None:
    """A project home whose .dlt/ points at a replica, as a user's would at Spotify."""
    (home / ".dlt").mkdir(parents=True)
    (home / ".dlt" / "config.toml").write_text(
        "[sources.spotify]\n"
        f"playlists = {list(server.user_playlist_ids)!r}\n"
        f'api_base_url = "{server.api_base_url}"\n'
        f'accounts_base_url = "{server.accounts_base_url}"\n'
    )
    (home / ".dlt" / "secrets.toml").write_text(
        "[sources.spotify]\n"
        f'client_id = "{DEMO_CLIENT_ID}"\n'
        f'client_secret = "{DEMO_CLIENT_SECRET}"\n'
        f'refresh_token = "{DEMO_REFRESH_TOKEN}"\n'
    )


@pytest.mark.slow
def test_configured_credentials_are_used_from_any_directory(
    replica_factory, tmp_path: Path
) -> None:
    """A cron job started in another directory reads the home's .dlt/, not demo data."""
    server = replica_factory()
    home = tmp_path / "home"
    _home_with_credentials(home, server)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "spotify-elt"), "extract"],
        cwd=elsewhere,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_ELT_")},
            "SPOTIFY_ELT_HOME": str(home),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert server.request_count > 0  # the configured API, not the demo's own replica
    assert list((home / "data" / "lake" / "spotify" / "playlist_entries").glob("date=*/*.jsonl"))
    assert not (elsewhere / "data").exists()
    assert not (elsewhere / ".dlt").exists()


def _uv() -> str:
    found = shutil.which("uv") or str(REPO / ".tools" / "bin" / "uv")
    assert Path(found).exists(), "uv is missing: `make install` bootstraps it into .tools/"
    return found


@pytest.mark.slow
def test_wheel_install_runs_the_pipeline(tmp_path: Path) -> None:
    """The built wheel, in a fresh virtualenv, runs `spotify-elt run` from an empty folder:
    its packaged dbt project builds every mart (the home is that folder)."""
    uv = _uv()
    dist = tmp_path / "dist"
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(dist)], cwd=REPO, check=True)
    [wheel] = dist.glob("spotify_elt-*.whl")
    requirements = tmp_path / "requirements.txt"
    subprocess.run(
        [uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes",
         "--output-file", str(requirements)],
        cwd=REPO, check=True, capture_output=True,
    )  # fmt: skip
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [uv, "pip", "install", "--python", str(venv / "bin" / "python"),
         "-r", str(requirements), str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    workdir = tmp_path / "somewhere"
    workdir.mkdir()
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("SPOTIFY_ELT_", "VIRTUAL_ENV"))
        },
        "SPOTIFY_ELT_DEMO_DAY": "0",
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    installed = subprocess.run(
        [str(venv / "bin" / "spotify-elt"), "run", "--no-docs"],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    assert "-1" not in installed.stdout.split("marts", 1)[1].split("\n", 1)[0]

    counts = mart_counts(workdir / "data")
    assert counts and all(count > 0 for count in counts.values()), counts
