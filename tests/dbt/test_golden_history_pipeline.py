"""The golden history through the whole pipeline: lake files → `spotify-elt load` →
dbt, in two batches as daily runs would, then `spotify-elt rebuild` from the lake: the
same marts, column for column, and the hand-computed answers."""

from pathlib import Path

import golden_history as golden
import pytest

from tests.cli import query, run_cli

pytestmark = pytest.mark.slow

HISTORY_MARTS = (
    "playlist_entries",
    "songs",
    "playlists",
    "playlist_chart_days",
    "song_playlist_runs",
    "song_playlist_totals",
    "playlist_daily_changes",
    "artist_playlist_days",
    "playlist_current_tracks",
)


def _contents(data_dir: Path) -> dict[str, list[tuple]]:
    return {
        mart: query(data_dir, f"select * from marts.{mart} order by all") for mart in HISTORY_MARTS
    }


def _load_and_transform(data_dir: Path) -> None:
    for command in (("load",), ("transform", "--no-docs")):
        result = run_cli(*command, "--data-dir", str(data_dir))
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[tuple]]]:
    data_dir = tmp_path_factory.mktemp("golden") / "data"
    for days in (range(1, 6), range(6, 11)):
        golden.write_lake(data_dir / "lake", days)
        _load_and_transform(data_dir)
    return data_dir, _contents(data_dir)


def test_the_daily_loads_give_the_golden_answers(pipeline) -> None:
    data_dir, _ = pipeline
    chart = query(
        data_dir,
        "select observed_date, position, song_id, item_type, previous_position, movement "
        "from marts.playlist_chart_days order by observed_date, position",
    )
    assert chart == golden.expected_chart_days()
    runs = query(
        data_dir,
        "select song_id, run_number, first_observed_date, last_observed_date, entry_position, "
        "peak_position, peak_first_date, days_on, exit_date, is_current "
        "from marts.song_playlist_runs order by song_id, run_number",
    )
    assert runs == golden.expected_runs()
    changes = query(
        data_dir,
        "select observed_date, previous_observed_date, snapshot_id_before, snapshot_id_after, "
        "added, removed, moved, unchanged from marts.playlist_daily_changes order by 1",
    )
    assert changes == golden.expected_daily_changes()
    names = dict(query(data_dir, "select song_id, song_name from marts.songs"))
    assert names == {golden.SONG[letter]: name for letter, name in golden.SONG_NAMES.items()}


def test_rebuild_from_the_lake_gives_the_same_marts(pipeline) -> None:
    data_dir, daily = pipeline
    result = run_cli("rebuild", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert _contents(data_dir) == daily
