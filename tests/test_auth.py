"""`spotify-elt auth` against the replica's accounts service, then a run with its token."""

import subprocess
import sys
import tomllib

import pytest
import requests

from ingestion.spotify_replica import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests.cli import run_cli
from tests.network import free_port


@pytest.fixture
def accounts_env(replica_factory) -> tuple[object, dict[str, str]]:
    server = replica_factory(mode="current")
    env = {
        "SOURCES__SPOTIFY__CLIENT_ID": DEMO_CLIENT_ID,
        "SOURCES__SPOTIFY__CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "SPOTIFY_ACCOUNTS_BASE_URL": server.accounts_base_url,
        "SPOTIFY_API_BASE_URL": server.api_base_url,
    }
    return server, env


def _run_with_secrets(env: dict[str, str], *args: str, stdin: str | None = None):
    import os

    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__SPOTIFY__")}
    environment.update(env)
    return subprocess.run(
        [str(__import__("tests.cli").cli.SPOTIFY_ELT), *args],
        input=stdin,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _headless_auth(env: dict[str, str], secrets, follow) -> subprocess.CompletedProcess:
    """`spotify-elt auth --no-browser` as a person runs it: open the printed consent link,
    paste back where the browser was sent (`follow` turns the link into that address)."""
    import os

    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__SPOTIFY__")}
    environment.update(env)
    process = subprocess.Popen(
        [str(__import__("tests.cli").cli.SPOTIFY_ELT), "auth", "--no-browser",
         "--secrets-file", str(secrets)],
        env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    line = process.stdout.readline()
    assert "Go to the following URL: " in line, line
    consent_url = line.split("Go to the following URL: ", 1)[1].strip()
    stdout, stderr = process.communicate(follow(consent_url) + "\n", timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _redirect_of(url: str) -> str:
    """Where Spotify's consent page sends the browser (the user clicked Agree)."""
    return requests.get(url, allow_redirects=False, timeout=5).headers["Location"]


def test_headless_auth_stores_the_refresh_token_and_a_run_uses_it(accounts_env, tmp_path):
    server, env = accounts_env
    secrets = tmp_path / ".dlt" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[sources.spotify]\nclient_id = "kept"\n# a comment that stays\n')

    result = _headless_auth(env, secrets, _redirect_of)

    assert result.returncode == 0, result.stderr
    stored = tomllib.loads(secrets.read_text())["sources"]["spotify"]
    assert stored["client_id"] == "kept" and stored["refresh_token"]
    assert "a comment that stays" in secrets.read_text()
    assert stored["refresh_token"] not in result.stdout + result.stderr
    assert oct(secrets.stat().st_mode & 0o777) == "0o600"

    # The stored refresh token is what the unattended run needs for /items.
    env = {
        **env,
        "SOURCES__SPOTIFY__REFRESH_TOKEN": stored["refresh_token"],
        "SOURCES__SPOTIFY__PLAYLISTS": ",".join(server.user_playlist_ids[:1]),
    }
    run = _run_with_secrets(env, "extract", "--data-dir", str(tmp_path / "data"))
    assert run.returncode == 0, run.stderr
    assert "entries" in run.stdout


def test_auth_refuses_a_callback_without_its_state(accounts_env, tmp_path):
    """A redirect that does not carry the state of this consent (forged, or from another
    attempt) is refused with one sentence, and nothing is stored."""
    server, env = accounts_env
    secrets = tmp_path / "secrets.toml"

    def forged(url: str) -> str:
        redirect = _redirect_of(url)
        return redirect.split("&state=", 1)[0].split("?state=", 1)[0]

    result = _headless_auth(env, secrets, forged)
    assert result.returncode == 1
    assert "did not carry the state" in result.stderr
    assert "Traceback" not in result.stderr
    assert not secrets.exists()


def test_browser_auth_catches_the_redirect_on_loopback(accounts_env, tmp_path):
    server, env = accounts_env
    secrets = tmp_path / "secrets.toml"
    port = free_port()
    # A "browser" that follows the consent redirect to spotipy's local callback server.
    browser = tmp_path / "browser.py"
    browser.write_text(
        "import sys, urllib.request\nurllib.request.urlopen(sys.argv[1], timeout=10).read()\n"
    )
    env = {**env, "BROWSER": f"{sys.executable} {browser} %s"}
    result = _run_with_secrets(
        env,
        "auth",
        "--redirect-uri",
        f"http://127.0.0.1:{port}/callback",
        "--secrets-file",
        str(secrets),
    )
    assert result.returncode == 0, result.stderr
    assert tomllib.loads(secrets.read_text())["sources"]["spotify"]["refresh_token"]


def test_auth_without_client_credentials_says_what_to_set(tmp_path):
    result = run_cli("auth", "--no-browser", "--secrets-file", str(tmp_path / "s.toml"))
    assert result.returncode == 1
    assert "SOURCES__SPOTIFY__CLIENT_ID" in result.stderr and "Traceback" not in result.stderr


def test_credentials_without_playlists_say_where_to_configure_them(accounts_env, tmp_path):
    _, env = accounts_env
    result = _run_with_secrets(env, "extract", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 1
    assert "sources.spotify.playlists" in result.stderr and ".dlt/config.toml" in result.stderr
    assert "Traceback" not in result.stderr
