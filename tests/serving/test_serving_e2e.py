"""Readers never break a run and never see a half-built state: real processes, real runs.

A reader is another process holding a DuckDB file open (tests/serving/reader.py), as
Tableau, a notebook or the DuckDB CLI would.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from serving.marts import marts_from_manifest
from serving.tableau.workbook import SHEETS
from tests.cli import REPO, query, run_cli
from tests.serving.tableau_checks import (
    read_extract,
    read_marts,
    twb_of,
    vocabulary_errors,
    workbook_field_types,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("serving") / "data"
    result = run_cli(
        "run", "--data-dir", str(data_dir), "--no-docs", env={"SPOTIFY_ELT_DEMO_DAY": "0"}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"serving    {data_dir / 'serving.duckdb'}" in result.stdout
    return data_dir


class Reader:
    """tests/serving/reader.py in its own process."""

    def __init__(self, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.serving.reader", *arguments],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.pid = self.process.pid

    def reading(self) -> dict:
        return json.loads(self.process.stdout.readline())

    def read_again(self) -> dict:
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return self.reading()

    def close(self) -> list[dict]:
        self.process.stdin.close()
        rest = [json.loads(line) for line in self.process.stdout]
        self.process.wait(timeout=60)
        return rest


@pytest.fixture
def reader() -> Iterator[type[Reader]]:
    started: list[Reader] = []

    def start(*arguments: str) -> Reader:
        started.append(Reader(*arguments))
        return started[-1]

    yield start
    for one in started:
        if one.process.poll() is None:
            one.process.kill()
            one.process.wait()


def serving_counts(data_dir: Path) -> dict[str, int]:
    return {name: len(rows) for name, rows in read_marts(data_dir / "serving.duckdb").items()}


def test_run_publishes_every_mart_to_the_serving_file(data_dir: Path) -> None:
    declared = {mart.name for mart in marts_from_manifest(data_dir / "dbt/target/manifest.json")}
    counts = serving_counts(data_dir)
    assert set(counts) == declared and "songs" in declared
    for name, rows in counts.items():
        assert rows == query(data_dir, f"select count(*) from marts.{name}")[0][0], name
    assert not list(data_dir.glob(".serving.duckdb*"))  # no temp file left behind


def test_reader_holding_the_warehouse_stops_the_run_with_one_clear_line(
    data_dir: Path, reader
) -> None:
    held = reader("hold", str(data_dir / "warehouse.duckdb"))
    held.reading()
    lake_files = sorted((data_dir / "lake").rglob("*.jsonl"))
    result = run_cli(
        "run",
        "--data-dir",
        str(data_dir),
        "--no-docs",
        env={"SPOTIFY_ELT_DEMO_DAY": "0", "SPOTIFY_ELT_LOCK_WAIT_SECONDS": "1"},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr[-3000:]
    assert "warehouse.duckdb is held open by" in errors[0] and f"(PID {held.pid})" in errors[0]
    assert set(lake_files) <= set((data_dir / "lake").rglob("*.jsonl"))  # nothing lost


def test_a_run_waits_for_a_reader_that_lets_go(data_dir: Path, reader) -> None:
    held = reader("hold", str(data_dir / "warehouse.duckdb"))
    held.reading()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("SPOTIFY_ELT_")
    }
    run = subprocess.Popen(
        [str(Path(sys.executable).parent / "spotify-elt"), "load"],
        cwd=REPO,
        env={**environment, "SPOTIFY_ELT_DATA_DIR": str(data_dir)},
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    for line in run.stderr:
        if "waiting up to" in line:
            assert f"(PID {held.pid})" in line
            break
    held.close()  # the reader lets go while the run waits
    stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr[-3000:]
    assert "playlist_entries" in stdout  # the rows it loaded


def test_readers_during_a_run_keep_working_and_see_old_or_new_marts(
    data_dir: Path, reader, tmp_path: Path
) -> None:
    """One reader holds serving.duckdb open through a whole run; another opens it again
    and again while the run writes. Neither breaks the run; each sees one complete state."""
    before = serving_counts(data_dir)
    held = reader("hold", str(data_dir / "serving.duckdb"))
    assert held.reading() == {"counts": before}
    stop = tmp_path / "stop"
    polling = reader("poll", str(data_dir / "serving.duckdb"), str(stop))
    # The next demo day changes playlists: the marts grow.
    result = run_cli(
        "run", "--data-dir", str(data_dir), "--no-docs", env={"SPOTIFY_ELT_DEMO_DAY": "1"}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    after = serving_counts(data_dir)
    assert after != before and after == {
        name: query(data_dir, f"select count(*) from marts.{name}")[0][0] for name in after
    }
    assert held.read_again() == {"counts": before}  # the held reader keeps its whole file
    stop.touch()
    readings = polling.close()
    assert readings and [r for r in readings if "error" in r] == []
    assert {json.dumps(r["counts"], sort_keys=True) for r in readings} <= {
        json.dumps(before, sort_keys=True),
        json.dumps(after, sort_keys=True),
    }


def test_export_tableau_on_the_real_marts(data_dir: Path) -> None:
    result = run_cli("export", "tableau", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr[-3000:]
    tableau = data_dir / "tableau"
    extract = read_extract(tableau / "spotify_marts.hyper")
    marts = read_marts(data_dir / "serving.duckdb")
    assert {name: rows for name, (_, rows) in extract.items()} == marts
    root = twb_of(tableau / "spotify_marts.twbx")
    assert vocabulary_errors(root) == []
    present = {sheet.name for sheet in SHEETS if sheet.mart in marts}
    assert "Songs on most playlists" in present
    fields = workbook_field_types(root)
    assert set(fields) == present
    for sheet, used in fields.items():
        for field, (mart, _) in used.items():
            assert field.split("].[")[-1].rstrip("]") in extract[mart][0], (sheet, field)
    for sheet in SHEETS:
        if sheet.name not in present:
            assert f"skipped    sheet {sheet.name!r}: no mart {sheet.mart}" in result.stdout
