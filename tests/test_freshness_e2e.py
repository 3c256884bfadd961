"""Freshness and coverage as a user meets them: `spotify-elt run`'s summary and exit code,
and `spotify-elt freshness`.

One extraction of every demo playlist on day 0, then one run of a single playlist on day
1, judged five days later: the other playlists are flagged by coverage (not observed on
the last run day) and the playlists source is past its 3-day error threshold.
"""

import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from ingestion.spotify_replica import Catalog
from orchestration.access import DEMO_EPOCH
from tests.cli import query, run_cli

pytestmark = pytest.mark.slow

# Day 1 (2026-01-02) is observed at the current time of day: 2026-01-06 23:59 is 4–5 days on.
FIVE_DAYS_LATER = datetime.combine(DEMO_EPOCH + timedelta(days=5), time(23, 59)).isoformat() + "Z"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    data_dir = tmp_path_factory.mktemp("freshness") / "data"
    extracted = run_cli("extract", "--data-dir", str(data_dir), env={"SPOTIFY_ELT_DEMO_DAY": "0"})
    assert extracted.returncode == 0, extracted.stderr[-3000:]
    kept = Catalog.generate(seed=42).user_playlist_ids[0]
    result = run_cli(
        "run",
        "--data-dir",
        str(data_dir),
        "--no-docs",
        "--playlist",
        kept,
        env={"SPOTIFY_ELT_DEMO_DAY": "1", "SPOTIFY_ELT_FRESHNESS_REFERENCE_AT": FIVE_DAYS_LATER},
    )
    return data_dir, result


def _summary_line(stdout: str, name: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith(f"  {name} "))


def test_a_stale_source_fails_the_run_with_one_sentence(history) -> None:
    _, result = history
    assert result.returncode == 1, result.stderr[-3000:]
    freshness = _summary_line(result.stdout, "freshness")
    assert re.search(r"playlists ERROR \(observed [45]\.\d days ago, over 3 days\)", freshness)
    assert "playlist_entries ok" in freshness  # within its 8 days
    assert "judged at 2026-01-06 23:59 UTC" in freshness
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    assert re.fullmatch(
        r"error: raw_spotify\.playlists was last observed [45]\.\d days ago \(2026-01-02 \d\d:\d\d "
        r"UTC\), past its error threshold of 3 days: check that the daily extraction runs and "
        r"reaches Spotify \(`spotify-elt doctor`\), then run `spotify-elt run`\.",
        errors[0],
    ), errors[0]
    assert "Traceback" not in result.stderr
    # the marts are built all the same: stale data is still the best data there is
    assert " 0 failed" in _summary_line(result.stdout, "dbt")


def test_playlists_not_observed_on_the_last_run_day_are_flagged(history) -> None:
    data_dir, result = history
    names = dict(query(data_dir, "select playlist_id, playlist_name from marts.playlists"))
    kept = Catalog.generate(seed=42).user_playlist_ids[0]
    coverage = _summary_line(result.stdout, "coverage")
    assert coverage.split()[1:3] == [str(len(names) - 1), "flagged:"]
    for playlist_id, name in names.items():
        flagged = f"{name} ({playlist_id}): not observed on the last run day (last 2026-01-01)"
        assert (flagged in coverage) == (playlist_id != kept), coverage


def test_freshness_command_judges_a_demo_history_at_its_own_date(history) -> None:
    data_dir, _ = history
    fresh = run_cli("freshness", "--data-dir", str(data_dir), env={"SPOTIFY_ELT_DEMO_DAY": "1"})
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    lines = fresh.stdout.splitlines()
    assert lines[0].startswith("raw_spotify.playlist_entries   pass   last observed 2026-01-0")
    assert lines[1].startswith("raw_spotify.playlists          pass   last observed 2026-01-02")
    # Today, eleven months after the simulated day: stale.
    stale = run_cli("freshness", "--data-dir", str(data_dir))
    assert stale.returncode == 1
    assert "raw_spotify.playlists          error" in stale.stdout
    assert (
        stale.stderr.strip()
        .splitlines()[-1]
        .startswith("error: raw_spotify.playlists was last observed")
    )


def test_a_malformed_reference_time_stops_run_before_any_work(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = run_cli(
        "run", "--data-dir", str(data_dir), env={"SPOTIFY_ELT_FRESHNESS_REFERENCE_AT": "yesterday"}
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: SPOTIFY_ELT_FRESHNESS_REFERENCE_AT must be an ISO 8601 time such as "
        "2026-01-31T06:00:00Z, not 'yesterday'."
    )
    assert not (data_dir / "lake").exists()
