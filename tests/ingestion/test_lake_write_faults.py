"""An interrupted or failed lake write: the next run finishes it *and* does its own day.

dlt's `Pipeline.run` loads a pending package and returns without extracting what it was
given; a run after a crash used to report "0 playlists", load the old package and exit 0
with the marts a day behind. These tests run the CLI as a user does, against the replica.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration import steps
from orchestration.config import Settings
from tests.cli import REPO, mart_counts, query, run_cli
from tests.conftest import source_args

pytestmark = pytest.mark.slow

CRASH_SCRIPT = Path(__file__).with_name("crash_during_lake_write.py")


def _run(data_dir: Path, day: int, lake: Path | None = None):
    env = {"SPOTIFY_ELT_DEMO_DAY": str(day)}
    if lake is not None:
        env["SPOTIFY_ELT_LAKE_URL"] = str(lake)
    return run_cli("run", "--demo", "--no-docs", "--data-dir", str(data_dir), env=env)


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A data dir after day 0 and day 1 without any fault, and its mart rows."""
    data_dir = tmp_path_factory.mktemp("clean") / "data"
    for day in (0, 1):
        result = _run(data_dir, day)
        assert result.returncode == 0, result.stderr[-3000:]
    return data_dir, mart_counts(data_dir)


@pytest.fixture(scope="module")
def clean_marts(clean_run: tuple[Path, dict[str, int]]) -> dict[str, int]:
    return clean_run[1]


def _assert_both_days_loaded(data_dir: Path, lake: Path, clean_marts: dict[str, int]) -> None:
    """Every lake line is a raw row, the marts hold both days, as a clean run's do."""
    for table in ("playlists", "playlist_entries", "artists", "albums"):
        files = [f for f in (lake / "spotify" / table).rglob("*.jsonl")]
        lines = sum(len(f.read_bytes().splitlines()) for f in files)
        assert query(data_dir, f"select count(*) from raw_spotify.{table}") == [(lines,)], table
    days = query(data_dir, "select count(distinct observed_date) from marts.playlist_chart_days")
    assert days == [(2,)]
    assert mart_counts(data_dir) == clean_marts


def test_a_killed_lake_write_is_finished_and_the_next_run_does_its_own_day(
    tmp_path: Path, clean_marts: dict[str, int]
) -> None:
    data_dir = tmp_path / "data"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SOURCES__SPOTIFY__", "SPOTIFY_ELT_"))
    }
    died = subprocess.run(
        [sys.executable, str(CRASH_SCRIPT), "run", "--demo", "--data-dir", str(data_dir)],
        env={**environment, "SPOTIFY_ELT_DEMO_DAY": "0"},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert died.returncode == 17, died.stderr[-2000:]
    lake = data_dir / "lake"
    assert len([f for f in (lake / "spotify").rglob("*.jsonl") if "_dlt" not in str(f)]) == 2

    result = _run(data_dir, day=1)

    assert result.returncode == 0, result.stderr[-3000:]
    assert "finishing the lake write an earlier run left" in result.stderr
    summary = result.stdout
    assert "  pending    finished the lake write an earlier run left" in summary
    assert "  extract    5 playlists" in summary  # its own extraction, not "0 playlists"
    _assert_both_days_loaded(data_dir, lake, clean_marts)


def _mount_tmpfs(mount_point: Path, options: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("a full or read-only disk needs a tmpfs mount, which needs root")
    mount_point.mkdir(exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 192 kB tmpfs: room for some lake files, not for a day's."""
    mount_point = tmp_path / "small_disk"
    _mount_tmpfs(mount_point, "size=192k")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_a_full_disk_during_the_lake_write_is_one_sentence_and_the_next_run_recovers(
    tmp_path: Path, small_disk: Path, clean_marts: dict[str, int]
) -> None:
    data_dir, lake = tmp_path / "data", small_disk

    full = _run(data_dir, day=0, lake=lake)

    assert full.returncode == 1
    assert "Traceback" not in full.stderr and "[Errno" not in full.stderr, full.stderr[-3000:]
    errors = [line for line in full.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: Could not write the lake at {lake} (No space left on device); what landed so "
        "far stays, and the next run finishes this write: free space or fix the permissions, "
        "then run again."
    ]
    assert "==> load" not in full.stderr  # nothing half-written is loaded
    landed = [f for f in lake.rglob("*") if f.is_file()]
    assert landed  # what fitted stays

    # Space freed (the same disk, grown): the next run finishes day 0 and does day 1.
    subprocess.run(["mount", "-o", "remount,size=64m", str(lake)], check=True)
    result = _run(data_dir, day=1, lake=lake)

    assert result.returncode == 0, result.stderr[-3000:]
    assert "  pending    finished the lake write an earlier run left" in result.stdout
    _assert_both_days_loaded(data_dir, lake, clean_marts)


def test_a_lake_that_cannot_be_written_is_one_sentence(tmp_path: Path) -> None:
    lake = tmp_path / "read_only"
    _mount_tmpfs(lake, "ro,size=1m")
    try:
        result = run_cli(
            "extract",
            "--demo",
            "--data-dir",
            str(tmp_path / "data"),
            env={"SPOTIFY_ELT_LAKE_URL": str(lake), "SPOTIFY_ELT_DEMO_DAY": "0"},
        )
    finally:
        subprocess.run(["umount", str(lake)], check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "PipelineStepFailed" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: Could not write the lake at {lake} (Read-only file system); what landed so "
        "far stays, and the next run finishes this write: free space or fix the permissions, "
        "then run again."
    ]


def test_this_runs_lake_files_are_missing_until_loaded(replica_factory, data_dir: Path) -> None:
    """What `run` checks before it may exit 0: the extraction's own files are in raw_spotify."""
    server = replica_factory(mode="current")
    settings = Settings.resolve(data_dir)
    extracted = steps.extract(settings, source_args(server))
    assert extracted.load_ids and extracted.finished_earlier == []

    missing = steps.not_loaded(settings, extracted)
    assert len(missing) == extracted.lake_files > 0
    assert all(Path(path).name.startswith(extracted.load_ids[0]) for path in missing)

    steps.load(settings)
    assert steps.not_loaded(settings, extracted) == []


def test_a_poisoned_lake_file_fails_one_run_and_the_next_is_normal(
    clean_run: tuple[Path, dict[str, int]],
) -> None:
    """Last in this module: it changes the clean run's data dir."""
    data_dir, counts = clean_run
    entries = next((data_dir / "lake" / "spotify" / "playlist_entries").rglob("*.jsonl"))
    poisoned = entries.with_name("1000000000.0000001.poisoned.jsonl")
    # Valid JSON with a lone surrogate: before, every later load failed naming no file.
    poisoned.write_bytes(entries.read_bytes().replace(b'"payload":{', b'"payload":{"x":"\\ud800",'))

    first = _run(data_dir, day=1)

    assert first.returncode == 1
    assert "Traceback" not in first.stderr
    (error,) = [line for line in first.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith(f"error: file://{poisoned}: line 1 is text that is not valid Unicode")
    assert error.endswith("later loads go on without it. Every other lake file was loaded.")
    assert "Set aside in" in error and not poisoned.exists()
    assert "  marts " in first.stdout  # the rest was built and summarised
    assert mart_counts(data_dir) == counts

    second = _run(data_dir, day=1)
    assert second.returncode == 0, second.stderr[-3000:]
    assert mart_counts(data_dir) == counts
