"""The golden history (golden_history.py) through dbt: every history mart exactly as
computed by hand, and a chain of incremental runs equal, row for row and column for
column, to a full refresh."""

from datetime import UTC, datetime
from typing import Any

import golden_history as golden
import pytest
from dbt_harness import DbtProject, failures
from raw_fixture import write_raw_tables

# Every mart, compared by content (all columns, observation times included).
MARTS = (
    "albums",
    "artists",
    "songs",
    "song_artists",
    "album_artists",
    "playlists",
    "playlist_entries",
    "playlist_chart_days",
    "song_playlist_runs",
    "song_playlist_totals",
    "playlist_daily_changes",
    "artist_playlist_days",
    "playlist_current_tracks",
)
CHUNKS = (range(1, 5), range(5, 9), range(9, 11))


def write_days(project: DbtProject, days: range) -> None:
    """Each extraction of those days as one load, with its own lake file names."""
    for load in golden.loads():
        if load.day not in days:
            continue
        pattern = golden.lake_file(load, "{table}")
        write_raw_tables(
            project.warehouse,
            entries_pages=[
                (
                    golden.PLAYLIST_ID,
                    load.playlist_entries[0]["snapshot_id"],
                    load.playlist_entries[0]["observed_at"],
                    [record["payload"] for record in load.playlist_entries],
                )
            ]
            if load.playlist_entries
            else [],
            playlists=[(record["observed_at"], record["payload"]) for record in load.playlists],
            lake_file=pattern,
        )


def contents(project: DbtProject) -> dict[str, list[tuple[Any, ...]]]:
    return {mart: project.query(f"select * from marts.{mart} order by all") for mart in MARTS}


@pytest.fixture(scope="module")
def history(dbt_project: DbtProject) -> DbtProject:
    """Three daily-ish runs (the second and third incremental), then every test."""
    for chunk in CHUNKS[:-1]:
        write_days(dbt_project, chunk)
        result = dbt_project.run("run")
        assert not failures(result), "\n".join(failures(result))
    write_days(dbt_project, CHUNKS[-1])
    dbt_project.build_result = dbt_project.run("build")
    return dbt_project


def test_every_model_and_test_passes(history: DbtProject) -> None:
    assert not failures(history.build_result), "\n".join(failures(history.build_result))


def test_chart_days(history: DbtProject) -> None:
    rows = history.query(
        "select observed_date, position, song_id, item_type, previous_position, movement "
        "from marts.playlist_chart_days order by observed_date, position"
    )
    assert rows == golden.expected_chart_days()


def test_every_movement_kind_and_the_unobserved_day(history: DbtProject) -> None:
    kinds = {row[0] for row in history.query("select movement from marts.playlist_chart_days")}
    assert kinds == {"new", "re-entry", "up", "down", "same"}
    days = history.query("select distinct observed_date from marts.playlist_chart_days")
    assert golden.day_date(6) not in {day for (day,) in days}


def test_runs(history: DbtProject) -> None:
    rows = history.query(
        "select song_id, run_number, first_observed_date, last_observed_date, entry_position, "
        "peak_position, peak_first_date, days_on, exit_date, is_current "
        "from marts.song_playlist_runs order by song_id, run_number"
    )
    assert rows == golden.expected_runs()


def test_totals(history: DbtProject) -> None:
    rows = history.query(
        "select song_id, total_days, runs, best_peak_position, is_current "
        "from marts.song_playlist_totals order by song_id"
    )
    assert rows == golden.expected_totals()


def test_daily_changes(history: DbtProject) -> None:
    rows = history.query(
        "select observed_date, previous_observed_date, snapshot_id_before, snapshot_id_after, "
        "added, removed, moved, unchanged from marts.playlist_daily_changes order by 1"
    )
    assert rows == golden.expected_daily_changes()


def test_artist_days(history: DbtProject) -> None:
    rows = history.query(
        "select observed_date, artist_id, artist_name, songs_on_playlist, best_position "
        "from marts.artist_playlist_days order by all"
    )
    assert rows == golden.expected_artist_days()


def test_current_tracks(history: DbtProject) -> None:
    rows = history.query(
        "select position, song_id, item_type, artist_names, observed_date, playlist_name "
        "from marts.playlist_current_tracks order by position"
    )
    assert rows == [
        (position, golden.SONG.get(letter), item_type, artists, golden.day_date(10), "Golden")
        for position, letter, item_type, artists in golden.CURRENT_TRACKS
    ]


def test_ties_between_lake_files_follow_the_rule(history: DbtProject) -> None:
    names = dict(history.query("select song_id, song_name from marts.songs"))
    assert names == {golden.SONG[letter]: name for letter, name in golden.SONG_NAMES.items()}
    last_seen = dict(history.query("select song_id, last_observed_at from marts.songs"))
    assert {song: moment.astimezone(UTC).day for song, moment in last_seen.items()} == {
        golden.SONG[letter]: day for letter, day in golden.SONG_LAST_OBSERVED.items()
    }


def test_first_and_last_sighting_of_each_snapshot(history: DbtProject) -> None:
    rows = history.query(
        "select distinct snapshot_id, first_observed_at, observed_at from marts.playlist_entries"
    )
    sightings = {
        snapshot: (
            (first.astimezone(UTC).day, first.astimezone(UTC).hour),
            (last.astimezone(UTC).day, last.astimezone(UTC).hour),
        )
        for snapshot, first, last in rows
    }
    assert sightings == golden.SNAPSHOT_SIGHTINGS


def test_a_full_refresh_gives_the_same_marts(history: DbtProject) -> None:
    incremental = contents(history)
    result = history.run("run", "--full-refresh")
    assert not failures(result), "\n".join(failures(result))
    assert contents(history) == incremental
    assert all(incremental[mart] for mart in MARTS)


def test_a_late_file_within_the_lookback_is_taken_in(history: DbtProject) -> None:
    """A lake file of day 10 loaded after day 10 was built (a rerun of the extraction
    that fetched the entries again): the marts are as if it had been there all along."""
    before = contents(history)
    load = next(load for load in golden.loads() if load.day == 10)
    write_raw_tables(
        history.warehouse,
        entries_pages=[
            (
                golden.PLAYLIST_ID,
                "s7",
                golden.observed_at(10, 11),
                [golden.entry(letter, "track") for letter in "DCLREA"],
            )
        ],
        lake_file=golden.lake_file(load, "{table}").replace(".a.jsonl", ".z.jsonl"),
        observed_at=datetime(2026, 3, 10, 11, tzinfo=UTC),
    )
    result = history.run("run")
    assert not failures(result), "\n".join(failures(result))
    after_incremental = contents(history)
    history.run("run", "--full-refresh")
    assert contents(history) == after_incremental
    # only the sighting times moved on (chart days and entries of day 10)
    assert after_incremental["playlist_chart_days"] != before["playlist_chart_days"]
    assert after_incremental["song_playlist_runs"] == before["song_playlist_runs"]


ANALYSES = (
    "top_songs",
    "songs_per_artist",
    "longest_runs",
    "biggest_climbers_this_week",
    "artists_with_most_chart_days",
)


def test_analyses_answer_on_the_history(history: DbtProject) -> None:
    result = history.run("compile", "--select", *ANALYSES)
    assert not failures(result), "\n".join(failures(result))
    compiled = history.work_dir / "target" / "compiled" / "spotify_elt" / "analyses"
    answers = {name: history.query((compiled / f"{name}.sql").read_text()) for name in ANALYSES}
    assert all(answers.values()), {name: len(rows) for name, rows in answers.items()}
    # C's nine days from d1 to d10 are the longest stay; D climbed from 3 (d4) to 1.
    assert answers["longest_runs"][0][1:4] == ("Song C", 1, 9)
    assert ("Song D", 3, 1, 2) in [row[1:5] for row in answers["biggest_climbers_this_week"]]
    top = answers["top_songs"]
    assert [(row[0], row[1]) for row in top] == [
        (1, "Song D"),
        (2, "Song C"),
        (5, "Song E"),
        (6, "Song A"),
    ]


def test_freshness_is_measured_on_the_observation_time(history: DbtProject) -> None:
    """Loaded today, observed in March 2026: stale (not fresh because of the load)."""
    result = history.run("source", "freshness")
    statuses = {node.node.name: str(node.status) for node in result.result.results}
    assert statuses == {"playlists": "error", "playlist_entries": "warn"}


def test_coverage_flags_a_playlist_not_observed_on_the_last_day(history: DbtProject) -> None:
    """Runs last: adds a playlist seen on 03-05 only, then a sharp drop of GOLDEN."""
    gone = "goneP1aylist0000000000"
    write_raw_tables(
        history.warehouse,
        entries_pages=[(gone, "g1", golden.observed_at(5), [golden.entry("A")])],
        lake_file="spotify/{table}/date=2026-03-05/1772705500.000000.gone.jsonl",
    )
    write_raw_tables(
        history.warehouse,
        playlists=[(golden.observed_at(10, 23), golden.playlist_object("s8", "D"))],
        entries_pages=[(golden.PLAYLIST_ID, "s8", golden.observed_at(10, 23), [golden.entry("D")])],
        lake_file=golden.lake_file(golden.loads()[-1], "{table}").replace(".a.", ".y."),
    )
    result = history.run("build", "--select", "+assert_every_playlist_is_observed_on_the_last_day")
    check = next(
        node
        for node in result.result.results
        if node.node.name == "assert_every_playlist_is_observed_on_the_last_day"
    )
    assert (str(check.status), check.failures) == ("warn", 2)
