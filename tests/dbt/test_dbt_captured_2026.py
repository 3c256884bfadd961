"""The marts from real 2026 captures: both entry shapes, a local file, episodes,
a removed track, and full artist and album objects (legacy and 2026).

dbt runs here as a person would: inside dbt_project with `--profiles-dir .`.
"""

import copy
import json

import pytest
from dbt_harness import RAW_FIXTURES, DbtProject, failures
from raw_fixture import entries_page, write_raw_tables

TO_FIND = "1Cp6VQCKf2VL4sP09jN9oX"  # playlist_1 / playlist_items*: one song, both shapes
TO_FIND_SNAPSHOT = "AAAAAqEcxS92ddZ6R83Q8TWFhYshm18s"
STARRED = "3toMXYM91T55pKzuysH5Ph"  # playlist_2: a local file and a song
PAIN = "0pM0KTMXM7K5qr3sL2DPw1"  # playlist_3: two songs and a podcast episode
BEASTCAST = "21THa8j9TaSGuXYNBU5tsC"  # legacy episode page; no playlist object loaded
ALL_I_NEED = "3ZL9gPzeCnKG9l5SB1SlcZ"
MARIBOU_STATE = "7zrkALJ9ayRjzysp4QYoEg"

DAY_0 = "2026-02-01T10:00:00Z"
DAY_1 = "2026-03-01T10:00:00Z"
DAY_2 = "2026-03-02T10:00:00Z"
DAY_2_LATER = "2026-03-02T10:05:00Z"


def _fixture(name: str) -> dict:
    return json.loads((RAW_FIXTURES / name).read_text(encoding="utf-8"))


def _track_shape_page() -> dict:
    """playlist_items.json (both keys) reduced to the legacy shape: `track` only."""
    page = _fixture("captured_2026_playlist_items.json")
    for entry in page["items"]:
        entry.pop("item")
    return page


def _removed_track_entries() -> list[dict]:
    """A real entry whose track Spotify no longer serves (`track` and `item` null)."""
    entry = copy.deepcopy(_fixture("captured_2026_playlist_items.json")["items"][0])
    entry["track"] = None
    entry["item"] = None
    return [entry]


def _artist_in_2026_shape() -> dict:
    """A full artist object as development-mode apps get it since 2026: no popularity,
    followers or genres (built from the artist embedded in the real capture)."""
    entries, _ = entries_page(RAW_FIXTURES / "captured_2026_playlist_items.json")
    artist = dict(entries[0]["item"]["artists"][0])
    artist["external_urls"] = {"spotify": f"https://open.spotify.com/artist/{artist['id']}"}
    return artist


@pytest.fixture(scope="module")
def warehouse(dbt_project: DbtProject) -> DbtProject:
    write_raw_tables(
        dbt_project.warehouse,
        entries_pages=[
            (TO_FIND, TO_FIND_SNAPSHOT, DAY_1, RAW_FIXTURES / "captured_2026_playlist_items.json"),
            (
                STARRED,
                "AAAAAoRTkoeSGwZYJQxBuBVJ4+cWjJZf",
                DAY_1,
                RAW_FIXTURES / "captured_2026_playlist_2.json",
            ),
            (
                PAIN,
                "AAAABAH0cNr4wijSj1w6aGGVK+7f85Ex",
                DAY_1,
                RAW_FIXTURES / "captured_2026_playlist_3.json",
            ),
            (
                BEASTCAST,
                "beastcast-snapshot",
                DAY_1,
                RAW_FIXTURES / "legacy_GetPlaylistsItemsRequest_Episode.json",
            ),
            (STARRED, "starred-with-a-removed-track", DAY_0, _removed_track_entries()),
        ],
        playlists=[
            (DAY_1, RAW_FIXTURES / "captured_2026_playlist_1.json"),
            (DAY_1, RAW_FIXTURES / "captured_2026_playlist_2.json"),
            (DAY_1, RAW_FIXTURES / "captured_2026_playlist_3.json"),
        ],
        artists=[
            (DAY_1, RAW_FIXTURES / "captured_2026_artist.json"),
            (DAY_1, RAW_FIXTURES / "legacy_GetArtistRequest.json"),
            (DAY_1, _artist_in_2026_shape()),
        ],
        albums=[
            (DAY_1, RAW_FIXTURES / "captured_2026_get_album.json"),
            (DAY_1, RAW_FIXTURES / "legacy_GetAlbumRequest.json"),
        ],
    )
    # A day later: the same playlist object again (item shape), and the same song in
    # two more snapshots, once with `item` only and once with `track` only.
    write_raw_tables(
        dbt_project.warehouse,
        entries_pages=[
            (
                TO_FIND,
                "item-shape-snapshot",
                DAY_2,
                RAW_FIXTURES / "captured_2026_playlist_items_2_item_shape.json",
            ),
            (TO_FIND, "track-shape-snapshot", DAY_2_LATER, _track_shape_page()),
        ],
        playlists=[(DAY_2, RAW_FIXTURES / "captured_2026_playlist_4_item_shape.json")],
    )
    result = dbt_project.run("build", from_project_dir=True)
    assert not failures(result), "\n".join(failures(result))
    return dbt_project


def test_item_types(warehouse: DbtProject) -> None:
    assert dict(
        warehouse.query("select item_type, count(*) from marts.playlist_entries group by 1")
    ) == {"track": 6, "local": 1, "episode": 2, "unavailable": 1}


def test_the_three_entry_shapes_give_the_same_rows(warehouse: DbtProject) -> None:
    columns = (
        "item_type, item_id, item_name, item_uri, spotify_url, duration_ms, is_local, "
        "is_explicit, added_by_id, added_at"
    )
    staged = warehouse.query(
        f"select snapshot_id, {columns} from staging.stg_spotify__playlist_entries "
        "where playlist_id = ? order by snapshot_id",
        [TO_FIND],
    )
    assert [row[0] for row in staged] == [
        TO_FIND_SNAPSHOT,  # both keys
        "item-shape-snapshot",  # item only
        "track-shape-snapshot",  # track only
    ]
    assert len({row[1:] for row in staged}) == 1
    assert staged[0][1:4] == ("track", ALL_I_NEED, "All I Need")
    marts = warehouse.query(
        "select distinct song_id, item_name, duration_ms from marts.playlist_entries "
        "where playlist_id = ?",
        [TO_FIND],
    )
    assert marts == [(ALL_I_NEED, "All I Need", 227934)]


def test_local_files_episodes_and_removed_tracks_are_not_songs(warehouse: DbtProject) -> None:
    assert sorted(name for (name,) in warehouse.query("select song_name from marts.songs")) == [
        "All I Need",
        "Borrowed Time",
        "Nothing To Lose",
        "You and I",
    ]
    non_songs = warehouse.query(
        "select item_type, song_id, episode_id, item_name, is_local, item_uri "
        "from marts.playlist_entries where item_type != 'track' order by item_type, item_name"
    )
    assert non_songs == [
        (
            "episode",
            None,
            "4GI3dxEafwap1sFiTGPKd1",
            "The Giant Beastcast: Episode 0",
            False,
            "spotify:episode:4GI3dxEafwap1sFiTGPKd1",
        ),
        (
            "episode",
            None,
            "5ytYkag3JZJ3GP2uuFAEBe",
            "Toni Delivers Semen",
            False,
            "spotify:episode:5ytYkag3JZJ3GP2uuFAEBe",
        ),
        (
            "local",
            None,
            None,
            "No Woman, No Cry",
            True,
            "spotify:local:Fugees+%28Refugee+Camp%29:The+Score:No+Woman%2C+No+Cry:273",
        ),
        ("unavailable", None, None, None, False, None),
    ]
    # the local file's album and artist (null ids) are not entities either
    assert warehouse.scalar("select count(*) from marts.albums where album_name = 'The Score'") == 0
    assert (
        warehouse.scalar("select count(*) from marts.artists where artist_name like 'Fugees%'") == 0
    )


def test_albums_seen_on_songs_or_fetched(warehouse: DbtProject) -> None:
    albums = warehouse.query(
        "select album_name, album_type, has_full_object, label, popularity, total_tracks, "
        "release_date_precision, cast(release_date as varchar) from marts.albums order by 1"
    )
    assert albums == [
        ("All I Need", "single", False, None, None, 5, "day", "2025-01-13"),
        ("Be OK", "album", False, None, None, 11, "day", "2008-01-01"),
        ("Borrowed Time", "single", False, None, None, 1, "day", "2019-06-28"),
        ("Nothing To Lose", "single", False, None, None, 1, "day", "2020-05-01"),
        ("SINGLARITY", "album", True, "Smihilism Records", 20, 11, "day", "2020-12-18"),
        ("She's So Unusual", "album", True, None, 39, None, "year", "1983-01-01"),
    ]
    assert warehouse.query(
        "select artists.artist_name from marts.album_artists "
        "inner join marts.albums on album_artists.album_id = albums.album_id "
        "inner join marts.artists on album_artists.artist_id = artists.artist_id "
        "where albums.album_name = 'SINGLARITY'"
    ) == [("Area 11",)]


def test_artists_enriched_where_fetched(warehouse: DbtProject) -> None:
    artists = {
        name: rest
        for name, *rest in warehouse.query(
            "select artist_name, has_full_object, popularity, followers_total, genres "
            "from marts.artists"
        )
    }
    assert len(artists) == 9
    assert artists["Pitbull"] == [True, 85, 12425030, None]  # genres: [] → null
    assert artists["Band of Horses"] == [True, 59, 306565, "indie folk, indie pop"]
    assert artists["Maribou State"] == [True, None, None, None]  # 2026 full object
    assert artists["Andreya Triana"] == [False, None, None, None]  # seen on a song only
    assert artists["Cyndi Lauper"] == [False, None, None, None]  # album artist only


def test_song_with_two_artists(warehouse: DbtProject) -> None:
    assert warehouse.query(
        "select artist_id, artist_position, is_primary_artist from marts.song_artists "
        "where song_id = ? order by artist_position",
        [ALL_I_NEED],
    ) == [(MARIBOU_STATE, 0, True), ("6SKEuFZYhaTytrhtJjgnO2", 1, False)]


def test_playlists_latest_state(warehouse: DbtProject) -> None:
    playlists = {
        playlist_id: rest
        for playlist_id, *rest in warehouse.query(
            "select playlist_id, playlist_name, owner_name, is_public, snapshot_id, "
            "snapshots_observed from marts.playlists"
        )
    }
    assert playlists == {
        TO_FIND: ["To find", "Joost Lekkerkerker", True, "track-shape-snapshot", 3],
        STARRED: ["Starred", "chadandcaren", True, "AAAAAoRTkoeSGwZYJQxBuBVJ4+cWjJZf", 2],
        PAIN: ["Pain", "Joost Lekkerkerker", True, "AAAABAH0cNr4wijSj1w6aGGVK+7f85Ex", 1],
        BEASTCAST: [None, None, None, "beastcast-snapshot", 1],
    }


def test_a_snapshot_fetched_again_keeps_the_day_it_was_first_seen(warehouse: DbtProject) -> None:
    # playlist_1 (day 1) and playlist_4 (day 2) are the same snapshot fetched twice.
    rows = warehouse.query(
        "select cast(first_observed_at as date), cast(last_observed_at as date) "
        f"from intermediate.int_playlist_snapshots where snapshot_id = '{TO_FIND_SNAPSHOT}'"
    )
    assert [(str(first), str(latest)) for first, latest in rows] == [("2026-03-01", "2026-03-02")]
