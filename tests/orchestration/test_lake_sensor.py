"""The lake sensor fires once per new file set, on a local lake and on S3 (moto)."""

import os
import time
from pathlib import Path

import pytest
from dagster import RunRequest, SensorResult, SkipReason, build_sensor_context

from ingestion.lake import Lake
from ingestion.lake.imports import import_files
from orchestration.config import Settings
from orchestration.defs import sensors
from orchestration.defs.resources import SpotifyEltResource
from orchestration.defs.sensors import LakeCursor, LakeFile, new_files, new_lake_files
from tests.conftest import TOP50

RECORD = b'{"playlist_id": "p1", "snapshot_id": "s1", "observed_at": "2026-01-01", "payload": {}}\n'


def _tick(lake_url: str, cursor: str | None, tmp_path: Path) -> SensorResult | SkipReason:
    settings = Settings(data_dir=tmp_path / "data", lake_url=lake_url)
    context = build_sensor_context(
        cursor=cursor, resources={"spotify": SpotifyEltResource.from_settings(settings)}
    )
    return new_lake_files(context)


def _fired(result: SensorResult | SkipReason) -> RunRequest:
    assert isinstance(result, SensorResult), result
    [request] = result.run_requests
    return request


def _write(lake: Lake, relative: str, body: bytes = RECORD) -> None:
    lake.fs.makedirs(lake.path(relative).rsplit("/", 1)[0], exist_ok=True)
    lake.fs.pipe(lake.path(relative), body)


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as complete at once (the settle delay has its own test)."""
    monkeypatch.setattr(sensors, "SETTLE_SECONDS", 0.0)


def _fires_once_per_file_set(lake: Lake, tmp_path: Path) -> None:
    assert isinstance(_tick(lake.url, None, tmp_path), SkipReason)  # a new, empty lake

    _write(lake, "spotify/playlists/date=2026-01-01/1.a.jsonl")
    _write(lake, "spotify/playlist_entries/date=2026-01-01/1.b.jsonl")
    # dlt's own bookkeeping in the lake is not data to load.
    _write(lake, "spotify/_dlt_loads/spotify__1.jsonl")
    _write(lake, "spotify/init", b"")
    first = _tick(lake.url, None, tmp_path)
    request = _fired(first)
    assert request.tags["spotify_elt/new_files"] == "2"

    # The same files, however often the sensor looks: nothing more.
    again = _tick(lake.url, first.cursor, tmp_path)
    assert isinstance(again, SkipReason)
    assert isinstance(_tick(lake.url, first.cursor, tmp_path), SkipReason)

    _write(lake, "spotify/playlists/date=2026-01-02/2.c.jsonl")
    second = _tick(lake.url, first.cursor, tmp_path)
    later = _fired(second)
    assert later.tags["spotify_elt/new_files"] == "1"
    assert later.run_key != request.run_key
    assert isinstance(_tick(lake.url, second.cursor, tmp_path), SkipReason)


def test_fires_once_per_new_file_set_on_a_local_lake(settled: None, tmp_path: Path) -> None:
    _fires_once_per_file_set(Lake(str(tmp_path / "lake")), tmp_path)


def test_fires_once_per_new_file_set_on_s3(settled: None, s3_bucket: str, tmp_path: Path) -> None:
    # S3 times have whole seconds: files of one second are told apart by the cursor's paths.
    _fires_once_per_file_set(Lake(f"s3://{s3_bucket}/lake"), tmp_path)


def test_fires_on_files_of_import_raw(settled: None, tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    assert import_files([str(TOP50)], lake).errors == []
    first = _tick(lake.url, None, tmp_path)
    # The sidecar is what the loader reads (and it is written last): one file.
    assert _fired(first).tags["spotify_elt/new_files"] == "1"
    assert import_files([str(TOP50)], lake).unchanged  # importing again changes nothing
    assert isinstance(_tick(lake.url, first.cursor, tmp_path), SkipReason)


def test_waits_until_a_file_has_settled(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    _write(lake, "spotify/playlists/date=2026-01-01/1.a.jsonl")
    assert isinstance(_tick(lake.url, None, tmp_path), SkipReason)  # may still be uploading
    path = lake.path("spotify/playlists/date=2026-01-01/1.a.jsonl")
    earlier = time.time() - 2 * sensors.SETTLE_SECONDS
    os.utime(path, (earlier, earlier))
    _fired(_tick(lake.url, None, tmp_path))


def test_cursor_tells_apart_files_of_the_same_time() -> None:
    a, b, c = (LakeFile(f"spotify/playlists/date=2026-01-01/{n}.jsonl", 10.0) for n in "abc")
    new, cursor = new_files([a, b], LakeCursor(), settled_before=100.0)
    assert new == [a, b] and cursor == LakeCursor(10.0, frozenset({a.path, b.path}))
    assert LakeCursor.parse(cursor.serialize()) == cursor
    new, cursor = new_files([a, b, c], cursor, settled_before=100.0)
    assert new == [c] and cursor.paths == {a.path, b.path, c.path}
    assert new_files([a, b, c], cursor, settled_before=100.0) == ([], cursor)
