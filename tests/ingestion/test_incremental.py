"""Asking Spotify only what changed: exact request counts on the replica, in both API modes.

The lower bound per run: 1 token; 1 per playlist (the object carries the snapshot id
and the first page, 100 entries on the replica); for a snapshot not landed before,
the pages after the first (50 per page on /items, 100 on /tracks); artists and albums
never fetched before, one by one (current) or in batches of 50 / 20 (legacy).
"""

import json
import math
import shutil
from collections import Counter
from pathlib import Path

import pytest

from ingestion.errors import ExtractionIncompleteError
from ingestion.spotify.client import request_kind
from ingestion.spotify_replica.catalog import Track
from orchestration import steps
from orchestration.config import Settings
from tests.conftest import source_args

PAGE = {"current": 50, "legacy": 100}
EMBEDDED = 100


def _kinds(server, since: int = 0) -> Counter:
    log = server.request_log[since:]
    return Counter(request_kind("http://replica" + path) for _, path, _ in log)


def _lake(settings: Settings, table: str) -> list[dict]:
    files = sorted(Path(settings.lake_url).glob(f"spotify/{table}/date=*/*.jsonl"))
    return [json.loads(line) for file in files for line in file.read_text().splitlines()]


def _referenced(server) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"artists": set(), "albums": set()}
    for playlist_id in server.user_playlist_ids:
        for entry in server.playlist_snapshot(playlist_id).entries:
            if isinstance(entry.item, Track):
                album = entry.item.album
                found["albums"].add(album.id)
                found["artists"] |= {a.id for a in (*entry.item.artists, *album.artists)}
    return found


@pytest.mark.parametrize("mode", ["current", "legacy"])
def test_first_run_rerun_and_next_day_make_exactly_the_lower_bound(replica_factory, data_dir, mode):
    server = replica_factory(mode=mode)
    settings = Settings.resolve(data_dir)
    args = source_args(server, api_mode=mode)
    playlists = server.user_playlist_ids
    referenced = _referenced(server)

    # First run: everything, the first page of each playlist from its object.
    result = steps.extract(settings, args)
    pages = sum(
        math.ceil(max(0, server.playlist_snapshot(p).total - EMBEDDED) / PAGE[mode])
        for p in playlists
    )
    enrichment = {
        kind: len(ids) if mode == "current" else math.ceil(len(ids) / limit)
        for (kind, ids), limit in zip(referenced.items(), (50, 20), strict=True)
    }
    expected = {"token": 1, "playlist": len(playlists), "entries": pages, **enrichment}
    assert _kinds(server) == Counter({k: v for k, v in expected.items() if v})
    assert result.report.stats.requests == server.request_count == sum(expected.values())
    assert result.report.lower_bound_total == sum(expected.values())
    assert result.report.ratio == 1.0
    # Every entry landed, with its position from the page offsets.
    entries = _lake(settings, "playlist_entries")
    for playlist_id in playlists:
        positions = sorted(e["position"] for e in entries if e["playlist_id"] == playlist_id)
        assert positions == list(range(server.playlist_snapshot(playlist_id).total))

    # Unchanged rerun: a token and the playlist objects, nothing else; no entry re-landed.
    before = server.request_count
    result = steps.extract(settings, args)
    assert _kinds(server, before) == Counter({"token": 1, "playlist": len(playlists)})
    assert result.report.playlists_unchanged == len(playlists) and result.report.ratio == 1.0
    assert len(_lake(settings, "playlist_entries")) == len(entries)
    # ...but today's observation of each playlist landed.
    assert len(_lake(settings, "playlists")) == 2 * len(playlists)

    # Next day: the changed snapshots' pages after the first, and only new artists/albums.
    old = {p: server.playlist_snapshot(p).snapshot_id for p in playlists}
    server.set_day(1)
    changed = [p for p in playlists if server.playlist_snapshot(p).snapshot_id != old[p]]
    assert changed, "the demo catalog changes some playlists from day 0 to day 1"
    new_ids = {kind: ids - referenced[kind] for kind, ids in _referenced(server).items()}
    before = server.request_count
    result = steps.extract(settings, args)
    pages = sum(
        math.ceil(max(0, server.playlist_snapshot(p).total - EMBEDDED) / PAGE[mode])
        for p in changed
    )
    enrichment = {
        kind: len(ids) if mode == "current" else math.ceil(len(ids) / limit)
        for (kind, ids), limit in zip(new_ids.items(), (50, 20), strict=True)
    }
    expected = {"token": 1, "playlist": len(playlists), "entries": pages, **enrichment}
    assert _kinds(server, before) == Counter({k: v for k, v in expected.items() if v})
    assert result.report.ratio == 1.0
    day1 = _lake(settings, "playlist_entries")
    for playlist_id in changed:
        snapshot = server.playlist_snapshot(playlist_id)
        positions = sorted(
            e["position"]
            for e in day1
            if e["playlist_id"] == playlist_id and e["snapshot_id"] == snapshot.snapshot_id
        )
        assert positions == list(range(snapshot.total))


def test_what_is_known_comes_from_the_lake_not_local_state(replica_factory, data_dir):
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)
    args = source_args(server, api_mode="current")
    steps.extract(settings, args)
    steps.extract(settings, args)  # reads the lake, and caches the index in data/state
    assert (data_dir / "state" / "lake_index.json").exists()
    # A new machine with the same lake: no dlt state, no index cache.
    shutil.rmtree(data_dir / "pipelines")
    shutil.rmtree(data_dir / "state")
    before = server.request_count
    steps.extract(settings, args)
    assert _kinds(server, before) == Counter({"token": 1, "playlist": 5})


def test_an_interrupted_snapshot_is_read_again_completely(replica_factory, data_dir):
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)
    playlist_id = max(server.user_playlist_ids, key=lambda p: server.playlist_snapshot(p).total)
    snapshot = server.playlist_snapshot(playlist_id)
    assert snapshot.total > EMBEDDED
    args = source_args(server, api_mode="current", enrich=False, playlists=[playlist_id])
    # The playlist object (with its first page) is answered, the next page fails.
    server.inject_errors(status=400, count=1, after=1)
    with pytest.raises(ExtractionIncompleteError):
        steps.extract(settings, args)
    landed = [e for e in _lake(settings, "playlist_entries") if e["playlist_id"] == playlist_id]
    assert 0 < len(landed) < snapshot.total  # the object and part of the entries landed

    before = server.request_count
    steps.extract(settings, args)
    pages = math.ceil((snapshot.total - EMBEDDED) / PAGE["current"])
    assert _kinds(server, before) == Counter({"token": 1, "playlist": 1, "entries": pages})
    positions = {e["position"] for e in _lake(settings, "playlist_entries")}
    assert positions == set(range(snapshot.total))


def test_an_enrichment_failure_is_named_so_and_the_entries_land(replica_factory, data_dir):
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)
    playlist_id = min(server.user_playlist_ids, key=lambda p: server.playlist_snapshot(p).total)
    assert server.playlist_snapshot(playlist_id).total <= EMBEDDED
    args = source_args(server, api_mode="current", playlists=[playlist_id])
    server.inject_errors(status=400, count=1, after=1)  # the first artist request
    with pytest.raises(ExtractionIncompleteError) as raised:
        steps.extract(settings, args)
    message = str(raised.value)
    assert "enrichment" in message and "playlist(s) could not be read" not in message
    assert raised.value.result.report.entries_read == server.playlist_snapshot(playlist_id).total
    assert len(_lake(settings, "playlist_entries")) == server.playlist_snapshot(playlist_id).total
    # The enrichment went on past the failed object: the next run fetches only that one.
    before = server.request_count
    steps.extract(settings, args)
    kinds = _kinds(server, before)
    assert "entries" not in kinds and kinds["artists"] + kinds["albums"] == 1


def test_stale_artists_and_albums_are_fetched_again(replica_factory, data_dir):
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)
    args = source_args(server, api_mode="current")
    first = steps.extract(settings, args)
    fetched = first.report.enrichment
    before = server.request_count
    again = steps.extract(settings, {**args, "refresh_after_days": 0})
    kinds = _kinds(server, before)
    # Unchanged snapshots: no entries; every referenced artist and album, fetched again.
    assert "entries" not in kinds
    assert kinds["artists"] == fetched["artists"][1] and kinds["albums"] == fetched["albums"][1]
    assert again.report.enrichment == fetched


def test_an_s3_lake_is_read_back_the_same_way(replica_factory, data_dir, s3_bucket, monkeypatch):
    monkeypatch.setenv("SPOTIFY_ELT_LAKE_URL", f"s3://{s3_bucket}/lake")
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)
    args = source_args(server, api_mode="current", enrich=False)
    steps.extract(settings, args)
    before = server.request_count
    result = steps.extract(settings, args)
    assert _kinds(server, before) == Counter({"token": 1, "playlist": 5})
    assert result.report.playlists_unchanged == 5
