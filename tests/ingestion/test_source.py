"""The dlt source against the local replica over HTTP, in both API modes."""

import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest
import requests

from ingestion.errors import ExtractionIncompleteError
from orchestration import steps
from orchestration.config import Settings
from tests.conftest import source_args


def _lake_records(settings: Settings, table: str) -> list[dict]:
    files = sorted(Path(settings.lake_url).glob(f"spotify/{table}/date=*/*.jsonl"))
    return [json.loads(line) for file in files for line in file.read_text().splitlines()]


def _paths(server) -> list[str]:
    return [path for _, path, _ in server.request_log]


def test_current_api_lands_entries_unchanged_and_enriches_each_id_once(replica_factory, data_dir):
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)

    result = steps.extract(settings, source_args(server, api_mode="current"))

    entries = _lake_records(settings, "playlist_entries")
    assert len(entries) == result.report.entries_read > 100
    assert all("item" in record["payload"] for record in entries)
    # The payload is the entry exactly as the API served it.
    playlist_id = server.user_playlist_ids[0]
    token = requests.post(
        f"{server.accounts_base_url}/api/token",
        data={"grant_type": "refresh_token", "refresh_token": source_args(server)["refresh_token"]},
        auth=(source_args(server)["client_id"], source_args(server)["client_secret"]),
        timeout=5,
    ).json()["access_token"]
    page = requests.get(
        f"{server.api_base_url}/playlists/{playlist_id}/items",
        params={"limit": 50, "offset": 0},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    ).json()
    landed = [r["payload"] for r in entries if r["playlist_id"] == playlist_id][:50]
    assert landed == page["items"][:50]
    # Single-object endpoints only, each id once.
    paths = _paths(server)
    assert not any(p.startswith("/v1/artists?") or p.startswith("/v1/albums?") for p in paths)
    singles = Counter(
        p.split("?")[0] for p in paths if p.startswith(("/v1/artists/", "/v1/albums/"))
    )
    assert singles and max(singles.values()) == 1
    assert len(_lake_records(settings, "artists")) == sum(
        1 for p in singles if p.startswith("/v1/artists/")
    )


def test_legacy_api_uses_tracks_and_batch_endpoints(replica_factory, data_dir):
    server = replica_factory(mode="legacy")
    settings = Settings.resolve(data_dir)

    steps.extract(settings, source_args(server, api_mode="legacy"))

    entries = _lake_records(settings, "playlist_entries")
    assert entries and all("track" in r["payload"] for r in entries)
    paths = _paths(server)
    assert any("/tracks" in p for p in paths) and not any("/items" in p for p in paths)
    assert any(p.startswith("/v1/artists?ids=") for p in paths)
    assert any(p.startswith("/v1/albums?ids=") for p in paths)
    assert all(
        r["payload"].get("popularity") is not None for r in _lake_records(settings, "artists")
    )


@pytest.mark.parametrize("mode", ["legacy", "current"])
def test_auto_mode_reads_either_api(replica_factory, data_dir, mode):
    server = replica_factory(mode=mode)
    result = steps.extract(Settings.resolve(data_dir), source_args(server, api_mode="auto"))
    assert result.report.entries_read > 100 and result.report.failures == []
    batch_calls = [p for p in _paths(server) if p.startswith(("/v1/artists?", "/v1/albums?"))]
    if mode == "current":  # one probe of each batch endpoint, then single objects
        assert len(batch_calls) <= 2


def test_app_token_on_2026_api_says_to_run_auth(replica_factory, data_dir):
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)
    with pytest.raises(ExtractionIncompleteError) as raised:
        steps.extract(settings, source_args(server, user_token=False, api_mode="current"))
    message = str(raised.value)
    assert "spotify-elt auth" in message and "Forbidden" in message
    # The playlist objects (readable with an app token) still landed.
    assert len(_lake_records(settings, "playlists")) == len(server.user_playlist_ids)


def test_editorial_and_unknown_playlists_fail_alone_with_advice(replica_factory, data_dir):
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)
    editorial = "37i9dQZEVXbMDoHDwVN2tF"
    unknown = "0000000000000000000000"
    args = source_args(server, playlists=[editorial, unknown, *server.user_playlist_ids])
    with pytest.raises(ExtractionIncompleteError) as raised:
        steps.extract(settings, args)
    failures = raised.value.failures
    assert len(failures) == 2
    assert "editorial" in failures[0] and "27 Nov 2024" in failures[0]
    assert failures[1].startswith(unknown) and "Check the playlist id" in failures[1]
    assert {r["playlist_id"] for r in _lake_records(settings, "playlists")} == set(
        server.user_playlist_ids
    )


def test_short_429_storm_is_retried(replica_factory, data_dir):
    server = replica_factory(mode="current")
    server.inject_errors(status=429, count=3, retry_after=1)
    result = steps.extract(Settings.resolve(data_dir), source_args(server))
    assert result.report.stats.retries >= 3
    assert result.report.failures == []


def test_long_retry_after_fails_fast_and_a_rerun_completes_without_duplicates(
    replica_factory, data_dir
):
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)
    server.inject_errors(status=429, count=1, retry_after=3600)
    with pytest.raises(ExtractionIncompleteError) as raised:
        steps.extract(settings, source_args(server))
    assert "Retry-After: 3600" in str(raised.value) and "run again later" in str(raised.value)
    # The breaker remembers the ban (tests/ingestion/test_incremental.py); once it is over:
    (data_dir / "state" / "rate_limit.json").unlink()

    steps.extract(settings, source_args(server))
    loaded = steps.load(settings)
    # Raw tables keep every lake record (both runs' entries); dbt staging dedupes by key.
    assert loaded.rows["playlist_entries"] == len(_lake_records(settings, "playlist_entries"))
    expected = sum(server.playlist_snapshot(p).total for p in server.user_playlist_ids)
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as db:
        keys = db.sql(
            "select count(distinct (playlist_id, snapshot_id, position)) "
            "from raw_spotify.playlist_entries"
        ).fetchone()[0]
    assert keys == expected
    assert steps.load(settings).rows == loaded.rows  # loading again changes nothing


def test_malformed_response_is_reported_not_fatal(replica_factory, data_dir):
    server = replica_factory(mode="current")
    server.inject_malformed(count=1)
    with pytest.raises(ExtractionIncompleteError) as raised:
        steps.extract(Settings.resolve(data_dir), source_args(server, max_retry_after_seconds=0))
    assert "malformed" in str(raised.value) or "not valid JSON" in str(raised.value)


def test_no_secret_reaches_the_lake_the_logs_or_the_working_dir(
    replica_factory, data_dir, caplog, tmp_path, monkeypatch
):
    import logging

    monkeypatch.chdir(tmp_path)
    server = replica_factory(mode="current")
    args = source_args(server)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ExtractionIncompleteError):  # the 404 exercises the error paths too
        steps.extract(Settings.resolve(data_dir), {**args, "playlists": ["0000000000000000000000"]})
    steps.extract(Settings.resolve(data_dir), args)
    with pytest.raises(ExtractionIncompleteError):  # an app token: /items answers 403
        steps.extract(Settings.resolve(data_dir), source_args(server, user_token=False))
    secrets = [args["client_secret"], args["refresh_token"]]
    lake_text = "".join(
        p.read_text()
        for p in Path(data_dir).rglob("*")
        if p.is_file() and p.suffix in (".jsonl", ".json")
    )
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in lake_text
    assert not list(tmp_path.glob(".cache*"))  # spotipy's token cache stays in memory
