"""`spotify-elt doctor` against the replica's error modes: one line per check, exit code."""

import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from ingestion.spotify_replica import Catalog, ReplicaServer
from orchestration.access import replica_source_args
from orchestration.cli import main
from orchestration.config import Settings
from orchestration.doctor import OK, PROBLEM, SKIPPED, run_checks

EDITORIAL = "37i9dQZEVXbMDoHDwVN2tF"
UNKNOWN = "0000000000000000000000"


@pytest.fixture
def server():
    with ReplicaServer(mode="current", catalog=Catalog.generate(seed=42)) as replica:
        yield replica


def _checks(server, data_dir, **overrides) -> dict[str, tuple[str, str]]:
    args = {**replica_source_args(server), **overrides}
    checks = run_checks(Settings.resolve(data_dir), args)
    return {check.name: (check.status, check.detail) for check in checks}


def test_all_good(server, data_dir):
    checks = _checks(server, data_dir)
    assert {status for status, _ in checks.values()} == {OK}
    assert {"credentials", "refresh token", "account", "rate limit", "lake", "warehouse"} <= set(
        checks
    )
    assert sum(name.startswith("playlist ") for name in checks) == len(server.user_playlist_ids)


def test_each_playlist_says_why_it_cannot_be_read(server, data_dir):
    foreign = server.foreign_playlist_ids[0]
    checks = _checks(server, data_dir, playlists=[EDITORIAL, UNKNOWN, foreign])
    assert checks[f"playlist {EDITORIAL}"][0] == PROBLEM
    assert "editorial" in checks[f"playlist {EDITORIAL}"][1]
    assert "unknown" in checks[f"playlist {UNKNOWN}"][1]
    assert "not yours" in checks[f"playlist {foreign}"][1]


def test_bad_credentials(server, data_dir):
    checks = _checks(server, data_dir, client_secret="wrong")
    assert checks["credentials"][0] == PROBLEM and "dashboard" in checks["credentials"][1]


def test_premium_lapsed(server, data_dir):
    server.set_account(owner_premium=False)
    status, detail = _checks(server, data_dir)["account"]
    assert status == PROBLEM and "Premium" in detail and "renew" in detail


def test_user_not_registered(server, data_dir):
    server.set_account(user_registered=False)
    status, detail = _checks(server, data_dir)["account"]
    assert status == PROBLEM and "User Management" in detail


def test_scopes_missing(server, data_dir):
    server.set_account(scope="playlist-read-collaborative")
    status, detail = _checks(server, data_dir)["refresh token"]
    assert status == PROBLEM and "playlist-read-private" in detail and "spotify-elt auth" in detail


def test_no_refresh_token(server, data_dir):
    status, detail = _checks(server, data_dir, refresh_token=None)["refresh token"]
    assert status == PROBLEM and "spotify-elt auth" in detail


def test_breaker_open_skips_spotify(server, data_dir):
    state = data_dir / "state"
    state.mkdir(parents=True)
    until = datetime.now(UTC) + timedelta(hours=1)
    (state / "rate_limit.json").write_text(json.dumps({"until": until.isoformat()}))
    before = server.request_count
    checks = _checks(server, data_dir)
    assert server.request_count == before
    assert checks["credentials"][0] == SKIPPED
    assert checks["rate limit"][0] == PROBLEM and f"{until:%H:%M:%S}" in checks["rate limit"][1]


def test_lake_unreachable(server, data_dir, monkeypatch):
    monkeypatch.setenv("SPOTIFY_ELT_LAKE_URL", "s3://no-such-bucket-here/lake")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # one refused connection is enough
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    for key in ("ACCESS_KEY_ID", "SECRET_ACCESS_KEY"):
        monkeypatch.setenv(f"DESTINATION__FILESYSTEM__CREDENTIALS__AWS_{key}", "x")
    monkeypatch.setenv(
        "DESTINATION__FILESYSTEM__CREDENTIALS__ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}"
    )
    assert _checks(server, data_dir)["lake"][0] == PROBLEM


def test_cli_exit_code_and_table(server, tmp_path):
    env = {
        "SOURCES__SPOTIFY__CLIENT_ID": replica_source_args(server)["client_id"],
        "SOURCES__SPOTIFY__CLIENT_SECRET": replica_source_args(server)["client_secret"],
        "SOURCES__SPOTIFY__REFRESH_TOKEN": replica_source_args(server)["refresh_token"],
        "SOURCES__SPOTIFY__PLAYLISTS": server.user_playlist_ids[0],
        "SPOTIFY_API_BASE_URL": server.api_base_url,
        "SPOTIFY_ACCOUNTS_BASE_URL": server.accounts_base_url,
    }
    runner = CliRunner()
    ok = runner.invoke(main, ["doctor", "--data-dir", str(tmp_path / "data")], env=env)
    assert ok.exit_code == 0, ok.output
    assert "All checks passed" in ok.output
    server.set_account(owner_premium=False)
    bad = runner.invoke(main, ["doctor", "--data-dir", str(tmp_path / "data")], env=env)
    assert bad.exit_code == 1 and "PROBLEM" in bad.output and "Premium" in bad.output


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
