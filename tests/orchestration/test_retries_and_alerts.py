"""Extraction retries with backoff; a failed run reaches a person through the webhook.

The extraction here takes the production path, with credentials configured (in
the environment, as dlt reads them) and the API at the replica's address, which
answers 404 for the playlist as many times as a test asks.
"""

from pathlib import Path

import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    ExecuteInProcessResult,
    materialize,
)

from ingestion.spotify_replica import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from orchestration.config import Settings
from orchestration.defs import alerts
from orchestration.defs.alerts import post_alert
from orchestration.defs.assets import build_extract_asset, load
from orchestration.defs.resources import SpotifyEltResource
from tests.orchestration.conftest import FAST_RETRY, Webhook, alert_on_failure_of


@pytest.fixture
def spotify_api(replica_factory, monkeypatch: pytest.MonkeyPatch):
    """The replica as if it were Spotify: credentials and base URLs in the environment."""
    server = replica_factory()
    for name, value in {
        "SOURCES__SPOTIFY__CLIENT_ID": DEMO_CLIENT_ID,
        "SOURCES__SPOTIFY__CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "SOURCES__SPOTIFY__REFRESH_TOKEN": DEMO_REFRESH_TOKEN,
        "SPOTIFY_API_BASE_URL": server.api_base_url,
        "SPOTIFY_ACCOUNTS_BASE_URL": server.accounts_base_url,
    }.items():
        monkeypatch.setenv(name, value)
    return server


def _extract(
    tmp_path: Path, playlists: list[str], instance: DagsterInstance
) -> ExecuteInProcessResult:
    settings = Settings(data_dir=tmp_path / "data", lake_url=str(tmp_path / "lake"))
    return materialize(
        [build_extract_asset(FAST_RETRY)],
        resources={"spotify": SpotifyEltResource.from_settings(settings, playlists=playlists)},
        instance=instance,
        raise_on_error=False,
    )


def _retries(result: ExecuteInProcessResult) -> int:
    return sum(1 for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY)


def test_extraction_is_retried_after_a_failure(spotify_api, tmp_path: Path) -> None:
    spotify_api.inject_errors(status=404, count=1)  # the first attempt's playlist read
    result = _extract(tmp_path, [spotify_api.user_playlist_ids[0]], DagsterInstance.ephemeral())
    assert result.success
    assert _retries(result) == 1
    assert result.asset_materializations_for_node("extract")[0].metadata["playlists"].value == 1


def test_configuration_errors_are_not_retried(spotify_api, tmp_path: Path) -> None:
    result = _extract(tmp_path, ["not a playlist!"], DagsterInstance.ephemeral())
    assert not result.success
    assert _retries(result) == 0
    [failure] = result.get_step_failure_events()
    assert "is not a Spotify playlist reference" in failure.step_failure_data.error.message


def test_failed_extraction_posts_an_alert_to_the_webhook(
    spotify_api,
    tmp_path: Path,
    webhook: Webhook,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    spotify_api.inject_errors(status=404, count=100)  # every attempt fails
    playlist = spotify_api.user_playlist_ids[0]
    instance = DagsterInstance.ephemeral()
    result = _extract(tmp_path, [playlist], instance)
    assert not result.success
    assert _retries(result) == FAST_RETRY.max_retries

    monkeypatch.setenv(alerts.WEBHOOK_ENV, webhook.url)
    monkeypatch.setenv(alerts.UI_URL_ENV, "http://127.0.0.1:3000")
    alert_on_failure_of(result, instance)

    [body] = webhook.bodies
    text = body["text"]
    assert "failed" in text and "step extract" in text
    assert playlist in text  # which playlist, so a person knows what to look at
    assert f"http://127.0.0.1:3000/runs/{result.run_id}" in text
    # The webhook URL is a secret: in no log line, on no stream.
    captured = capfd.readouterr()
    assert "s3cr3t-token" not in caplog.text + captured.out + captured.err


def test_alert_names_the_cause_under_dagster_and_dlt_wrappers(
    tmp_path: Path, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A truncated file in the lake: dlt wraps the loader's error, Dagster wraps dlt's.
    bad = tmp_path / "lake" / "spotify" / "playlists" / "date=2026-01-01" / "1.a.jsonl"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"playlist_id": "p1", "payl')
    settings = Settings(data_dir=tmp_path / "data", lake_url=str(tmp_path / "lake"))
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [load],
        resources={"spotify": SpotifyEltResource.from_settings(settings)},
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success

    monkeypatch.setenv(alerts.WEBHOOK_ENV, webhook.url)
    alert_on_failure_of(result, instance)
    [body] = webhook.bodies
    assert "step load: file://" in body["text"]
    assert "1.a.jsonl: line 1 is not valid JSON" in body["text"]
    assert "Set aside in file://" in body["text"]  # where it went; later runs are not blocked


def test_an_unreachable_webhook_is_reported_without_its_url(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "http://127.0.0.1:9/hooks/T000/B000/s3cr3t-token"  # port 9: nothing listens
    assert post_alert(secret, "test", timeout=2) is False
    assert "unreachable" in caplog.text
    assert "s3cr3t" not in caplog.text and "127.0.0.1:9" not in caplog.text


def test_webhook_from_dlt_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(alerts.WEBHOOK_ENV, raising=False)
    assert alerts.webhook_url() is None
    monkeypatch.setenv("ALERTS__WEBHOOK_URL", "http://127.0.0.1:1/hook")
    assert alerts.webhook_url() == "http://127.0.0.1:1/hook"
