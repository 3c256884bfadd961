"""The golden history (tests/dbt/golden_history.py) on Snowflake: lake files → dlt's
Snowflake destination → dbt-snowflake, against fakesnow's server, in two batches (the
second one incremental). The answers are those computed by hand, as on DuckDB."""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from orchestration.cli import main
from tests.production.snowflake_server import SnowflakeServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
import golden_history as golden  # noqa: E402 – tests/dbt is not a package

pytestmark = [
    pytest.mark.slow,
    # Two builds of the whole project on fakesnow, node by node over HTTP.
    pytest.mark.timeout(1800),
    # dbt-snowflake 1.11 still passes the connector's deprecated `insecure_mode`.
    pytest.mark.filterwarnings(
        "ignore:The 'insecure_mode' connection property is deprecated:DeprecationWarning"
    ),
]

DATABASE = "SPOTIFY_HISTORY"


@pytest.fixture(scope="module")
def environment(
    snowflake_server: SnowflakeServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    data_dir = tmp_path_factory.mktemp("history") / "data"
    values = {
        "SPOTIFY_ELT_DATA_DIR": str(data_dir),
        "SPOTIFY_ELT_TARGET": "fakesnow",
        **snowflake_server.dlt_environment(DATABASE),
        **snowflake_server.dbt_environment(DATABASE),
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SPOTIFY_ELT_LAKE_URL", raising=False)
        for key, value in values.items():
            patch.setenv(key, value)
        yield data_dir


@pytest.fixture(scope="module")
def built(environment: Path) -> Path:
    # The first batch builds the models only (`dbt run`), the second one builds
    # incrementally on top of them with every test (`transform` = dbt build).
    batches = (
        (range(1, 6), ["dbt", "run"]),
        (range(6, 11), ["transform", "--no-docs"]),
    )
    for days, transform in batches:
        golden.write_lake(environment / "lake", days)
        for command in (["load"], transform):
            result = CliRunner().invoke(main, command)
            assert result.exit_code == 0, result.output + repr(result.exception)
    return environment


def _query(server: SnowflakeServer, sql: str) -> list[tuple[Any, ...]]:
    return server.query(DATABASE, sql)


def test_chart_days(built: Path, snowflake_server: SnowflakeServer) -> None:
    rows = _query(
        snowflake_server,
        "select observed_date, position, song_id, item_type, previous_position, movement "
        "from marts.playlist_chart_days order by observed_date, position",
    )
    assert rows == golden.expected_chart_days()


def test_runs_totals_and_changes(built: Path, snowflake_server: SnowflakeServer) -> None:
    runs = _query(
        snowflake_server,
        "select song_id, run_number, first_observed_date, last_observed_date, entry_position, "
        "peak_position, peak_first_date, days_on, exit_date, is_current "
        "from marts.song_playlist_runs order by song_id, run_number",
    )
    assert runs == golden.expected_runs()
    totals = _query(
        snowflake_server,
        "select song_id, total_days, runs, best_peak_position, is_current "
        "from marts.song_playlist_totals order by song_id",
    )
    assert totals == golden.expected_totals()
    changes = _query(
        snowflake_server,
        "select observed_date, previous_observed_date, snapshot_id_before, snapshot_id_after, "
        "added, removed, moved, unchanged from marts.playlist_daily_changes order by 1",
    )
    assert changes == golden.expected_daily_changes()


def test_artist_days_and_current_tracks(built: Path, snowflake_server: SnowflakeServer) -> None:
    artist_days = _query(
        snowflake_server,
        "select observed_date, artist_id, artist_name, songs_on_playlist, best_position "
        "from marts.artist_playlist_days order by 1, 2",
    )
    assert artist_days == golden.expected_artist_days()
    current = _query(
        snowflake_server,
        "select position, song_id, item_type, artist_names "
        "from marts.playlist_current_tracks order by position",
    )
    assert current == [
        (position, golden.SONG.get(letter), item_type, artists)
        for position, letter, item_type, artists in golden.CURRENT_TRACKS
    ]


def test_ties_between_lake_files_follow_the_rule(
    built: Path, snowflake_server: SnowflakeServer
) -> None:
    names = dict(_query(snowflake_server, "select song_id, song_name from marts.songs"))
    assert names == {golden.SONG[letter]: name for letter, name in golden.SONG_NAMES.items()}
