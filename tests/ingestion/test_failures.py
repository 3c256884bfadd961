"""The rate-limit breaker, failing fast on an unreachable host, token troubles, `mine`."""

import json
import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest

from ingestion.errors import ExtractionIncompleteError, RateLimitBreakerOpen
from orchestration import steps
from orchestration.config import Settings
from tests.cli import run_cli
from tests.conftest import source_args


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_long_retry_after_stops_every_request_and_the_next_run_refuses(replica_factory, data_dir):
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)
    # Two playlists are answered, the third gets a ban of an hour.
    server.inject_errors(status=429, count=1, retry_after=3600, after=2)
    started = datetime.now(UTC)
    with pytest.raises(ExtractionIncompleteError) as raised:
        steps.extract(settings, source_args(server, api_mode="current"))
    # Not one request after the 429: token, 2 playlists and their pages, the 429.
    log = server.request_log
    assert log[-1].status == 429
    assert sum(status == 429 for _, _, status in log) == 1
    report = raised.value.result.report
    assert report.playlists_read == 2 and report.enrichment == {}
    assert len(raised.value.failures) == 1  # one message, with the time
    until = report.rate_limited_until
    assert timedelta(minutes=59) < until - started < timedelta(minutes=61)
    assert f"{until:%Y-%m-%d %H:%M:%S} UTC" in raised.value.failures[0]
    # What was fetched landed.
    assert raised.value.result.lake_files > 0
    # The state file holds times only.
    state = json.loads((data_dir / "state" / "rate_limit.json").read_text())
    assert set(state) == {"until", "retry_after_seconds", "tripped_at"}

    # The next run (CLI or Dagster: both call steps.extract) does not call Spotify.
    before = server.request_count
    with pytest.raises(RateLimitBreakerOpen) as refused:
        steps.extract(settings, source_args(server, api_mode="current"))
    assert server.request_count == before
    assert f"{until:%Y-%m-%d %H:%M:%S} UTC" in str(refused.value)

    # Once the time has passed, runs call Spotify again and complete what is missing.
    state["until"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    (data_dir / "state" / "rate_limit.json").write_text(json.dumps(state))
    result = steps.extract(settings, source_args(server, api_mode="current"))
    assert result.report.failures == [] and result.report.playlists_unchanged >= 1


def test_short_retry_after_is_waited_out_within_the_budget(replica_factory, data_dir):
    server = replica_factory(mode="current")
    server.inject_errors(status=429, count=1, retry_after=1)
    result = steps.extract(Settings.resolve(data_dir), source_args(server))
    assert result.report.failures == [] and result.report.stats.waited_seconds == 1
    # The retried answer counts as a request, as the server saw it.
    assert result.report.stats.requests == server.request_count

    # A wait that would exceed the run's budget trips the breaker instead.
    server.inject_errors(status=429, count=1, retry_after=2)
    with pytest.raises(ExtractionIncompleteError) as raised:
        steps.extract(Settings.resolve(data_dir), source_args(server, max_wait_seconds=1))
    assert raised.value.result.report.rate_limited_until is not None


def test_an_unreachable_host_is_one_message_and_no_retries(data_dir, caplog):
    port = _closed_port()
    args = {
        "playlists": ["0BFvo0X7T1oX2oyT1xgPm6", "0SzbF2tFxeAtPK6lZe9XMU"],
        "client_id": "id",
        "client_secret": "secret",
        "api_base_url": f"http://127.0.0.1:{port}/v1",
        "accounts_base_url": f"http://127.0.0.1:{port}",
    }
    caplog.set_level(logging.WARNING)
    with pytest.raises(ExtractionIncompleteError) as raised:
        steps.extract(Settings.resolve(data_dir), args)
    assert len(raised.value.failures) == 1
    message = raised.value.failures[0]
    assert f"127.0.0.1:{port}" in message and "SPOTIFY_API_BASE_URL" in message
    assert "proxy" in message
    assert raised.value.result.lake_files == 0
    assert "Retrying" not in caplog.text  # urllib3's retry warnings


def test_run_stops_before_load_when_nothing_landed(tmp_path):
    port = _closed_port()
    result = run_cli(
        "run",
        "--data-dir",
        str(tmp_path / "data"),
        env={
            "SOURCES__SPOTIFY__CLIENT_ID": "id",
            "SOURCES__SPOTIFY__CLIENT_SECRET": "secret",
            "SOURCES__SPOTIFY__PLAYLISTS": "0BFvo0X7T1oX2oyT1xgPm6,0SzbF2tFxeAtPK6lZe9XMU",
            "SPOTIFY_API_BASE_URL": f"http://127.0.0.1:{port}/v1",
            "SPOTIFY_ACCOUNTS_BASE_URL": f"http://127.0.0.1:{port}",
        },
    )
    assert result.returncode == 1
    assert result.stderr.count("Could not reach") == 1, result.stderr
    assert "==> load" not in result.stderr and "==> transform" not in result.stderr
    assert "Retrying" not in result.stderr and "urllib3" not in result.stderr
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


def test_run_refuses_while_the_breaker_is_open(tmp_path):
    state = tmp_path / "data" / "state"
    state.mkdir(parents=True)
    until = datetime.now(UTC) + timedelta(hours=2)
    (state / "rate_limit.json").write_text(json.dumps({"until": until.isoformat()}))
    result = run_cli("run", "--data-dir", str(tmp_path / "data"), "--demo")
    assert result.returncode == 1
    assert f"{until:%Y-%m-%d %H:%M:%S} UTC" in result.stderr
    assert "==> load" not in result.stderr


def test_a_401_refreshes_the_token_once(replica_factory, data_dir):
    server = replica_factory(mode="current")
    server.inject_errors(status=401, count=1, after=1, message="The access token expired")
    result = steps.extract(Settings.resolve(data_dir), source_args(server, api_mode="current"))
    assert result.report.failures == []
    assert result.report.stats.by_kind["token"] == 2


@pytest.mark.parametrize("status", [429, 503])
def test_token_endpoint_trouble_is_not_called_bad_credentials(replica_factory, data_dir, status):
    server = replica_factory(mode="current")
    server.inject_errors(status=status, count=10, retry_after=3600, endpoint="token")
    with pytest.raises(ExtractionIncompleteError) as raised:
        steps.extract(Settings.resolve(data_dir), source_args(server))
    message = str(raised.value)
    assert "refused the credentials" not in message
    assert ("rate limit" in message) if status == 429 else ("Spotify's side" in message)


def test_mine_reads_the_users_own_playlists_and_combines_with_references(replica_factory, data_dir):
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)
    result = steps.extract(settings, source_args(server, playlists="mine", enrich=False))
    assert result.report.playlists_read == len(server.user_playlist_ids)
    assert result.report.failures == []  # the followed playlist of someone else is left out
    assert any(path.startswith("/v1/me/playlists") for _, path, _ in server.request_log)
    # Combined with an explicit reference: read once, not twice.
    explicit = f"https://open.spotify.com/playlist/{server.user_playlist_ids[0]}?si=x"
    result = steps.extract(settings, source_args(server, playlists=["mine", explicit]))
    assert result.report.playlists_read == len(server.user_playlist_ids)
