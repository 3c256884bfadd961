"""The marts from a real legacy capture: Top 50 Global, 2023-11-01, entries only.

The file is the complete response of GET /playlists/37i9dQZEVXbMDoHDwVN2tF/tracks
(the format the older tutorial pipelines archived), loaded as entries alone: no
playlist object, empty artists and albums tables, as after an archive import.
The expected figures were counted from the file itself (see
tests/fixtures/raw/README.md).
"""

import shutil

import pytest
from dbt_harness import DBT_PROJECT_DIR, RAW_FIXTURES, DbtProject, failures
from raw_fixture import entries_page, write_raw_tables

from tests.conftest import TOP50_MART_COUNTS

TOP50 = RAW_FIXTURES / "top50_global_2023-11_playlist_tracks.json"
TOP50_PLAYLIST_ID = "37i9dQZEVXbMDoHDwVN2tF"
SNAPSHOT = "top50-global-2023-11-01"
OBSERVED_AT = "2023-11-01T08:47:52Z"
VARIOUS_ARTISTS = "0LyfQWJT6nXafLPZqxe9Of"


@pytest.fixture(scope="module")
def warehouse(dbt_project: DbtProject) -> DbtProject:
    write_raw_tables(dbt_project.warehouse, [(TOP50_PLAYLIST_ID, SNAPSHOT, OBSERVED_AT, TOP50)])
    result = dbt_project.run("build")
    assert not failures(result), "\n".join(failures(result))
    dbt_project.build_result = result
    return dbt_project


def test_dbt_build_passes_every_model_unit_test_and_data_test(warehouse: DbtProject) -> None:
    results = warehouse.build_result.result.results
    kinds = {}
    for node_result in results:
        kinds.setdefault(node_result.node.resource_type, []).append(str(node_result.status))
    assert set(kinds) >= {"model", "test", "unit_test"}
    assert len(kinds["model"]) == len(list((DBT_PROJECT_DIR / "models").rglob("*.sql")))
    assert len(kinds["unit_test"]) >= 6
    assert set(kinds.pop("exposure", [])) <= {"no-op"}  # the Tableau workbook: nothing to build
    assert all(status in ("success", "pass") for statuses in kinds.values() for status in statuses)


def test_marts_land_in_schema_marts(warehouse: DbtProject) -> None:
    tables = warehouse.query(
        "select table_name from information_schema.tables "
        "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
    )
    assert [name for (name,) in tables] == sorted(
        path.stem for path in (DBT_PROJECT_DIR / "models" / "marts").glob("*.sql")
    )


def test_entity_counts(warehouse: DbtProject) -> None:
    counts = {
        mart: warehouse.scalar(f"select count(*) from marts.{mart}") for mart in TOP50_MART_COUNTS
    }
    assert counts == TOP50_MART_COUNTS


def test_album_types_and_release_dates(warehouse: DbtProject) -> None:
    assert dict(warehouse.query("select album_type, count(*) from marts.albums group by 1")) == {
        "album": 23,
        "single": 11,
        "compilation": 2,
    }
    assert dict(
        warehouse.query("select release_date_precision, count(*) from marts.albums group by 1")
    ) == {"day": 35, "year": 1}
    assert warehouse.query(
        "select album_name, cast(release_date as varchar) from marts.albums "
        "where release_date_precision = 'year'"
    ) == [("The Original Monster Mash", "1962-01-01")]
    assert warehouse.scalar("select count(*) from marts.albums where release_date is null") == 0


def test_explicit_songs(warehouse: DbtProject) -> None:
    assert warehouse.scalar("select count(*) from marts.songs where is_explicit") == 21


def test_songs_per_artist_through_the_bridge(warehouse: DbtProject) -> None:
    songs_per_artist = dict(
        warehouse.query(
            "select artists.artist_name, count(*) "
            "from marts.song_artists "
            "inner join marts.artists on song_artists.artist_id = artists.artist_id "
            "group by 1"
        )
    )
    assert songs_per_artist["Taylor Swift"] == 13
    assert songs_per_artist["The Weeknd"] == 3
    assert songs_per_artist["Jung Kook"] == 3
    assert songs_per_artist["Bad Bunny"] == 3
    assert len(songs_per_artist) == 47
    assert sum(songs_per_artist.values()) == 68


def test_various_artists_is_an_album_artist_only(warehouse: DbtProject) -> None:
    assert warehouse.query(
        "select artist_name from marts.artists where artist_id = ?", [VARIOUS_ARTISTS]
    ) == [("Various Artists",)]
    assert (
        warehouse.scalar(
            "select count(*) from marts.song_artists where artist_id = ?", [VARIOUS_ARTISTS]
        )
        == 0
    )
    compilations = warehouse.query(
        "select albums.album_type from marts.album_artists "
        "inner join marts.albums on album_artists.album_id = albums.album_id "
        "where album_artists.artist_id = ?",
        [VARIOUS_ARTISTS],
    )
    assert compilations == [("compilation",), ("compilation",)]


def test_several_artists_keep_their_credit_order(warehouse: DbtProject) -> None:
    assert (
        warehouse.scalar(
            "select count(*) from "
            "(select song_id from marts.song_artists group by 1 having count(*) > 1)"
        )
        == 14
    )
    # positions run 0..n-1 for every song, 0 being the primary artist
    assert (
        warehouse.scalar(
            "select count(*) from (select song_id, max(artist_position) + 1 as top, count(*) as n "
            "from marts.song_artists group by 1) where top != n"
        )
        == 0
    )
    primary = warehouse.query(
        "select artists.artist_name from marts.songs "
        "inner join marts.song_artists on songs.song_id = song_artists.song_id "
        "inner join marts.artists on song_artists.artist_id = artists.artist_id "
        "where songs.song_name = 'Seven (feat. Latto) (Explicit Ver.)' "
        "order by song_artists.artist_position"
    )
    assert primary == [("Jung Kook",), ("Latto",)]


def test_nothing_is_enriched_without_full_objects(warehouse: DbtProject) -> None:
    assert warehouse.scalar("select count(*) from marts.albums where has_full_object") == 0
    assert warehouse.scalar("select count(*) from marts.artists where has_full_object") == 0
    assert (
        warehouse.scalar(
            "select count(*) from marts.albums where label is not null or popularity is not null"
        )
        == 0
    )
    assert (
        warehouse.scalar("select count(*) from marts.artists where followers_total is not null")
        == 0
    )
    # track popularity is part of the legacy track object itself
    assert warehouse.scalar("select count(*) from marts.songs where popularity is null") == 0


def test_playlist_known_only_from_its_entries(warehouse: DbtProject) -> None:
    assert warehouse.query(
        "select playlist_id, snapshot_id, playlist_name, snapshots_observed, "
        "cast(first_observed_at as varchar) from marts.playlists"
    ) == [(TOP50_PLAYLIST_ID, SNAPSHOT, None, 1, "2023-11-01 08:47:52+00")]
    entries = warehouse.query(
        "select item_type, count(*), count(distinct song_id), min(position), max(position), "
        "count(added_by_id) from marts.playlist_entries group by 1"
    )
    # Spotify hides who added entries to its editorial playlists ("id": "")
    assert entries == [("track", 50, 50, 0, 49, 0)]


def test_docs_generate(warehouse: DbtProject) -> None:
    result = warehouse.run("docs", "generate")
    assert result.success, result.exception
    target = warehouse.work_dir / "target"
    assert (target / "catalog.json").exists()
    assert (target / "index.html").exists()


def test_source_freshness_on_the_observation_time(warehouse: DbtProject) -> None:
    """A capture of 2023 loaded today is not fresh: freshness is measured on observed_at."""
    result = warehouse.run("source", "freshness")
    statuses = {
        node_result.node.name: str(node_result.status) for node_result in result.result.results
    }
    assert statuses["playlist_entries"] == "warn"
    assert "_dlt_loads" not in statuses


@pytest.fixture(scope="module")
def observed_again(warehouse: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """A copy of the warehouse after two more loads: the same snapshot re-observed
    a day later, then a new snapshot of the same playlist with its last entry removed."""
    work_dir = tmp_path_factory.mktemp("dbt_observed_again")
    again = DbtProject(warehouse=work_dir / "warehouse.duckdb", work_dir=work_dir)
    shutil.copy(warehouse.warehouse, again.warehouse)
    write_raw_tables(
        again.warehouse, [(TOP50_PLAYLIST_ID, SNAPSHOT, "2023-11-02T08:00:00Z", TOP50)]
    )
    entries, _ = entries_page(TOP50)
    write_raw_tables(
        again.warehouse,
        [(TOP50_PLAYLIST_ID, "top50-global-2023-11-03", "2023-11-03T08:00:00Z", entries[:-1])],
    )
    result = again.run("build")
    assert not failures(result), "\n".join(failures(result))
    return again


def test_reobservations_add_history_not_duplicates(observed_again: DbtProject) -> None:
    assert observed_again.scalar("select count(*) from marts.songs") == 50
    assert observed_again.scalar("select count(*) from marts.albums") == 36
    assert observed_again.scalar("select count(*) from marts.artists") == 48
    assert dict(
        observed_again.query("select snapshot_id, count(*) from marts.playlist_entries group by 1")
    ) == {SNAPSHOT: 50, "top50-global-2023-11-03": 49}
    # every lake record is kept: the re-observed snapshot keeps its first sighting (11-01)
    # and its last one (11-02) apart
    assert observed_again.query(
        "select snapshot_id, snapshots_observed, cast(first_observed_at as varchar), "
        "cast(last_observed_at as varchar) from marts.playlists"
    ) == [("top50-global-2023-11-03", 2, "2023-11-01 08:47:52+00", "2023-11-03 08:00:00+00")]
    assert observed_again.query(
        "select distinct cast(first_observed_at as varchar), cast(observed_at as varchar) "
        f"from marts.playlist_entries where snapshot_id = '{SNAPSHOT}'"
    ) == [("2023-11-01 08:47:52+00", "2023-11-02 08:00:00+00")]
