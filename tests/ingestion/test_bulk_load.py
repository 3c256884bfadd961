"""The lake → warehouse load: every lake record once, whatever happens between runs."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.synthetic_lake import LakeWriter, bench_catalog
from ingestion.errors import LakeFileError, LoadIncompleteError
from ingestion.lake import Lake
from ingestion.lake.imports import import_files
from orchestration import steps
from orchestration.config import Settings
from tests.cli import run_cli
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


def test_a_playlist_row_leaves_out_only_its_embedded_entries(tmp_path: Path) -> None:
    """The first page of entries is in playlist_entries; the raw playlist keeps the rest."""
    day = tmp_path / "lake" / "spotify" / "playlists" / "date=2026-01-01"
    day.mkdir(parents=True)
    page = {"href": "h", "items": [{"track": {"id": "t"}}], "limit": 100, "next": None, "total": 1}
    objects = {
        "current": {"id": "a", "name": "A", "items": page},
        "legacy": {"id": "b", "name": "B", "tracks": page},
        "both": {"id": "c", "name": "C", "items": page, "tracks": page},
        "none": {"id": "d", "name": "D", "items": {"href": "h", "total": 7}},
        "odd": {"id": "e", "name": "E", "items": "not a page", "tracks": None},
    }
    lines = [
        {
            "playlist_id": key,
            "snapshot_id": "s",
            "observed_at": "2026-01-01T00:00:00+00:00",
            "payload": payload,
        }
        for key, payload in objects.items()
    ]
    (day / "1.a.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    settings = _settings(tmp_path, tmp_path / "lake")
    steps.load(settings)
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as db:
        rows = dict(
            db.execute("select playlist_id, payload::varchar from raw_spotify.playlists").fetchall()
        )
    trimmed = {"href": "h", "limit": 100, "next": None, "total": 1}
    assert {key: json.loads(value) for key, value in rows.items()} == {
        "current": {"id": "a", "name": "A", "items": trimmed},
        "legacy": {"id": "b", "name": "B", "tracks": trimmed},
        "both": {"id": "c", "name": "C", "items": trimmed, "tracks": trimmed},
        "none": objects["none"],
        "odd": objects["odd"],
    }


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


def _copy_lake(tmp_path: Path, lake_dir: Path) -> Path:
    lake = tmp_path / "lake"
    lake.mkdir()
    subprocess.run(["cp", "-r", str(lake_dir / "spotify"), str(lake)], check=True)
    return lake


def _counts(settings: Settings) -> dict[str, int]:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as db:
        return {
            table: db.execute(f"select count(*) from raw_spotify.{table}").fetchone()[0]
            for table in RAW_TABLES
        }


def _quarantined(lake: Path) -> list[Path]:
    return sorted(p for p in (lake / "quarantine").rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        # cut short, as by a crash
        (lambda lines: b"".join(lines[:5]) + lines[5][:40], "line 6 is not valid JSON"),
        # valid JSON, but a lone surrogate: no warehouse can store it
        (
            lambda lines: (
                b"".join(lines[:5])
                + lines[5].replace(b'"payload":{', b'"payload":{"x":"\\ud800",', 1)
            ),
            "line 6 is text that is not valid Unicode",
        ),
        # not UTF-8 at all
        (lambda lines: b"".join(lines[:5]) + b'{"x": "caf\xe9"}\n', "line 6 is text that is not"),
    ],
)
def test_a_damaged_file_is_set_aside_and_the_others_load(
    tmp_path: Path, lake_dir: Path, damage, message: str
) -> None:
    lake = _copy_lake(tmp_path, lake_dir)
    damaged = next((lake / "spotify" / "playlist_entries").rglob("*.jsonl"))
    lines = damaged.read_bytes().splitlines(keepends=True)
    content = damage(lines)
    damaged.write_bytes(content)
    settings = _settings(tmp_path, lake)

    with pytest.raises(LoadIncompleteError) as raised:
        steps.load(settings)

    error = raised.value
    assert error.problems[0].startswith(f"file://{damaged}: {message}"), error.problems
    assert str(error) == f"{error.problems[0]} Every other lake file was loaded."
    counts = _counts(settings)
    assert error.result.rows == counts  # what did load, as data
    assert counts["playlist_entries"] == _lake_lines(lake_dir, "playlist_entries") - len(lines)
    for table in ("playlists", "artists", "albums"):
        assert counts[table] == _lake_lines(lake_dir, table)
    # The file is kept, byte for byte, in the quarantine with its reason; not in the lake.
    assert not damaged.exists()
    kept, reason = _quarantined(lake)
    assert kept.read_bytes() == content and str(kept) in error.problems[0]
    assert reason.name == f"{kept.name}.reason.txt" and message in reason.read_text()

    # The next load is normal: nothing fails, nothing loads twice.
    assert steps.load(settings).rows == counts


def test_a_line_that_is_no_record_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "lake" / "spotify" / "artists" / "date=2026-01-01" / "1.a.jsonl"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"artist_id": "a", "observed_at": "2026-01-01T00:00:00+00:00"}\n')
    with pytest.raises(LakeFileError, match=r"1\.a\.jsonl: line 1 is not a record of the spotify"):
        steps.load(_settings(tmp_path, tmp_path / "lake"))
    assert not bad.exists()


def test_a_poisoned_import_of_an_older_version_is_set_aside(tmp_path: Path) -> None:
    """A lone surrogate that an older import-raw let into the lake blocks no load."""
    lake = Lake(str(tmp_path / "lake"))
    assert import_files([str(TOP50)], lake).errors == []
    good_meta = next(Path(lake.url).rglob("*.meta.json"))
    meta = json.loads(good_meta.read_text())
    # The same file with a lone surrogate, landed as the older version did (no checks).
    poison = TOP50.read_bytes().replace(b'"name": "', b'"name": "\\ud800', 1)
    folder = good_meta.parent
    (folder / "poison-top50.json").write_bytes(poison)
    poison_meta = {**meta, "lake_path": f"{meta['lake_path'].rsplit('/', 1)[0]}/poison-top50.json"}
    (folder / "poison.meta.json").write_text(json.dumps(poison_meta))
    (folder / "broken.meta.json").write_text('{"lake_path": ')  # a sidecar cut short
    settings = _settings(tmp_path, Path(lake.url))

    with pytest.raises(LoadIncompleteError) as raised:
        steps.load(settings)

    problems = raised.value.problems
    assert len(problems) == 2, problems
    assert "broken.meta.json: not a sidecar of import-raw" in problems[0]
    assert "poison-top50.json: line 1, column" not in problems[1]  # one sentence per file
    assert "poison-top50.json" in problems[1] and "not valid Unicode" in problems[1]
    assert raised.value.result.rows["playlist_entries"] == 50  # the good import loaded
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [good_meta.name, Path(meta["lake_path"]).name]
    )
    assert len(_quarantined(Path(lake.url))) == 6  # three files, three reasons
    assert steps.load(settings).rows["playlist_entries"] == 50


def test_load_command_exits_1_once_then_0(tmp_path: Path, lake_dir: Path) -> None:
    lake = _copy_lake(tmp_path, lake_dir)
    damaged = next((lake / "spotify" / "albums").rglob("*.jsonl"))
    damaged.write_bytes(damaged.read_bytes().replace(b'"payload":{', b'"payload":{"x":"\\udc00",'))
    args = ("load", "--data-dir", str(tmp_path / "data"))
    env = {"SPOTIFY_ELT_LAKE_URL": str(lake)}

    first = run_cli(*args, env=env)
    assert first.returncode == 1, first.stderr
    assert "Traceback" not in first.stderr
    assert f"file://{damaged}: line 1 is text that is not valid Unicode" in first.stderr
    assert "Set aside in" in first.stderr

    second = run_cli(*args, env=env)
    assert second.returncode == 0, second.stderr
    assert second.stderr.count("error") == 0


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
