"""The lake → warehouse load: every lake record once, whatever happens between runs."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.synthetic_lake import LakeWriter, bench_catalog
from ingestion.errors import LakeFileError
from ingestion.lake import Lake
from ingestion.lake.imports import import_files
from orchestration import steps
from orchestration.config import Settings
from tests.conftest import TOP50

RAW_TABLES = ("playlists", "playlist_entries", "artists", "albums")
CRASH_SCRIPT = Path(__file__).with_name("crash_during_load.py")


@pytest.fixture(scope="module")
def lake_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three days of a small catalog, as `extract` would have landed them."""
    lake = tmp_path_factory.mktemp("lake")
    writer = LakeWriter(bench_catalog(playlists=3, entries=20), lake, "http://127.0.0.1:8765/v1")
    for _ in writer.write_days(range(3)):
        pass
    return lake


def _settings(tmp_path: Path, lake: Path, name: str = "data") -> Settings:
    return Settings(data_dir=tmp_path / name, lake_url=str(lake))


def _lake_lines(lake: Path, table: str) -> int:
    files = (lake / "spotify" / table).glob("date=*/*.jsonl")
    return sum(len(f.read_bytes().splitlines()) for f in files)


def _raw(settings: Settings) -> dict[str, list[tuple]]:
    """Every raw row but its load id (which names the run), in a stable order."""
    tables = {}
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as db:
        for table in RAW_TABLES:
            columns = [
                name
                for (name,) in db.execute(
                    "select column_name from information_schema.columns "
                    f"where table_schema = 'raw_spotify' and table_name = '{table}' "
                    "and column_name <> '_dlt_load_id' order by ordinal_position"
                ).fetchall()
            ]
            select = ", ".join(f'"{c}"::varchar' for c in columns)
            tables[table] = db.execute(
                f"select {select} from raw_spotify.{table} order by all"
            ).fetchall()
    return tables


def test_every_lake_record_lands_once_with_its_file(tmp_path: Path, lake_dir: Path) -> None:
    settings = _settings(tmp_path, lake_dir)
    result = steps.load(settings)
    for table in RAW_TABLES:
        assert result.rows[table] == _lake_lines(lake_dir, table) > 0
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as db:
        files = db.execute(
            "select lake_file, count(*), count(distinct _dlt_id) from raw_spotify.playlists "
            "group by 1 order by 1"
        ).fetchall()
        lake_ids = db.execute(
            "select count(*) from raw_spotify.playlist_entries "
            "where _dlt_load_id = split_part(split_part(lake_file, '/', 4), '.', 1)"
        ).fetchone()
        payload_type = db.execute(
            "select typeof(payload), payload->>'$.type' from raw_spotify.playlists limit 1"
        ).fetchone()
    # Paths relative to the lake root, in load order; one row per record of each.
    assert [f for f, _, _ in files] == sorted(
        str(p.relative_to(lake_dir)) for p in (lake_dir / "spotify/playlists").rglob("*.jsonl")
    )
    assert all(rows == ids == 3 for _, rows, ids in files)
    assert lake_ids == (0,)  # the warehouse's own load id, not the extraction's
    assert payload_type == ("JSON", "playlist")


def test_rerun_crash_and_rebuild_give_the_same_raw_tables(tmp_path: Path, lake_dir: Path) -> None:
    clean = _settings(tmp_path, lake_dir, "clean")
    steps.load(clean)
    expected = _raw(clean)

    # Loading again adds nothing.
    assert steps.load(clean).rows == {t: len(rows) for t, rows in expected.items()}
    assert _raw(clean) == expected

    # A load killed while dlt loads its files: two raw tables filled, two not ...
    crashed = _settings(tmp_path, lake_dir, "crashed")
    died = subprocess.run(
        [sys.executable, str(CRASH_SCRIPT), str(crashed.data_dir), crashed.lake_url],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert died.returncode == 17, died.stderr[-2000:]
    with duckdb.connect(str(crashed.duckdb_path), read_only=True) as db:
        filled = [
            table
            for table in RAW_TABLES
            if db.execute(f"select count(*) from raw_spotify.{table}").fetchone()[0]
        ]
    assert len(filled) == 2
    # ... then the next load finishes the job and reads nothing twice.
    steps.load(crashed)
    assert _raw(crashed) == expected

    # A rebuild drops the raw tables and loads the whole lake again.
    steps.load(crashed, rebuild=True)
    assert _raw(crashed) == expected


def test_new_files_only_are_read_on_the_next_run(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    writer = LakeWriter(bench_catalog(playlists=2, entries=10), lake, "http://127.0.0.1:8765/v1")
    writer.write_day(0)
    settings = _settings(tmp_path, lake)
    first = steps.load(settings).rows
    writer.write_day(1)
    second = steps.load(settings).rows
    for table in RAW_TABLES:
        assert second[table] == _lake_lines(lake, table) > first[table]


def test_a_damaged_file_is_named_and_the_others_load(tmp_path: Path, lake_dir: Path) -> None:
    lake = tmp_path / "lake"
    lake.mkdir()
    subprocess.run(["cp", "-r", str(lake_dir / "spotify"), str(lake)], check=True)
    damaged = next((lake / "spotify" / "playlist_entries").rglob("*.jsonl"))
    lines = damaged.read_bytes().splitlines(keepends=True)
    damaged.write_bytes(b"".join(lines[:5]) + lines[5][:40])  # cut short, as by a crash
    settings = _settings(tmp_path, lake)

    with pytest.raises(LakeFileError) as raised:
        steps.load(settings)

    message = str(raised.value)
    assert message.startswith(f"file://{damaged}: line 6 is not valid JSON")
    assert "Move the file out of the lake" in message
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as db:
        counts = {
            table: db.execute(f"select count(*) from raw_spotify.{table}").fetchone()[0]
            for table in RAW_TABLES
        }
        damaged_rows = db.execute(
            "select count(*) from raw_spotify.playlist_entries where lake_file like '%' || ?",
            [damaged.name],
        ).fetchone()[0]
    assert damaged_rows == 0
    assert counts["playlist_entries"] == _lake_lines(lake_dir, "playlist_entries") - len(lines)
    for table in ("playlists", "artists", "albums"):
        assert counts[table] == _lake_lines(lake_dir, table)

    # Moved out of the lake, the rest is complete and nothing loads twice.
    damaged.unlink()
    assert steps.load(settings).rows == counts


def test_a_line_that_is_no_record_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "lake" / "spotify" / "artists" / "date=2026-01-01" / "1.a.jsonl"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"artist_id": "a", "observed_at": "2026-01-01T00:00:00+00:00"}\n')
    with pytest.raises(LakeFileError, match=r"1\.a\.jsonl: line 1 is not a record of the spotify"):
        steps.load(_settings(tmp_path, tmp_path / "lake"))


def test_imported_archives_load_once_like_lake_files(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    assert import_files([str(TOP50)], lake).errors == []
    settings = _settings(tmp_path, Path(lake.url))

    first = steps.load(settings)
    again = steps.load(settings)

    assert (
        first.rows
        == again.rows
        == {
            "playlists": 0,
            "playlist_entries": 50,
            "artists": 0,
            "albums": 0,
        }
    )
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as db:
        ((lake_file, rows, positions),) = db.execute(
            "select lake_file, count(*), count(distinct position) "
            "from raw_spotify.playlist_entries group by 1"
        ).fetchall()
        first_entry = db.execute(
            "select payload from raw_spotify.playlist_entries where position = 0"
        ).fetchone()[0]
    meta = json.loads(next(Path(lake.url).rglob("*.meta.json")).read_text())
    assert lake_file == meta["lake_path"] and rows == positions == 50
    assert json.loads(first_entry) == json.loads(TOP50.read_text())["items"][0]
