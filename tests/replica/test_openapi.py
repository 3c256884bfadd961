"""Replica responses and real captured ones, validated against the OpenAPI specs.

Current mode is checked against the 2026-05-31 spec, legacy mode against the
2025-10-03 one (before the February 2026 changes). spec.py lists the tolerated
gaps between the specs and the real API; the last tests show each is needed.
"""

import pytest

from ingestion.spotify_replica import TOP50_GLOBAL_ID, ReplicaServer
from tests.replica import spec
from tests.replica.conftest import MODES, Api, fixture

# -- real captures ----------------------------------------------------------------------------

PAGES = (
    "top50_global_playlist_tracks.json",
    "captured_2026_playlist_items.json",
    "captured_2026_playlist_items_2_item_shape.json",
)
PLAYLISTS = (
    "captured_2026_playlist_4_item_shape.json",
    "captured_2026_playlist_2_local.json",
    "captured_2026_playlist_3_episode.json",
)


@pytest.mark.parametrize("mode", MODES)
def test_real_captures_are_valid_with_the_tolerances(mode: str) -> None:
    for name in PAGES:
        assert spec.page_errors(mode, fixture(name)) == [], name
    for name in PLAYLISTS:
        assert spec.playlist_errors(mode, fixture(name)) == [], name
    for name in ("captured_2026_artist.json", "legacy_get_artist.json"):
        assert spec.errors(mode, "ArtistObject", fixture(name)) == [], name
    assert spec.errors(mode, "AlbumObject", fixture("captured_2026_get_album.json")) == []
    several = fixture("legacy_several_artists.json")
    assert spec.errors(mode, spec.batch_schema(mode, "artists"), several) == []
    for name in (
        "400_invalid_base62_id",
        "401_expired",
        "404_resource_not_found",
        "429_rate_limit",
    ):
        body = fixture(f"errors/{name}.json")
        assert spec.errors(mode, spec.response_schema(mode, "Unauthorized"), body) == []


def test_each_tolerance_is_needed() -> None:
    """Without them, real captures (and the current-mode replica) fail the spec as written."""
    local = fixture("captured_2026_playlist_2_local.json")["tracks"]["items"][0]
    assert spec.errors("current", "PlaylistTrackObject", local, strict=True)
    assert spec.errors("current", "PlaylistTrackObject", local, local_files=True) == []
    episode = fixture("captured_2026_playlist_3_episode.json")["tracks"]["items"][2]
    strict = spec.errors("current", "PlaylistTrackObject", episode, strict=True)
    assert strict and "is_playable" in " ".join(strict)
    removed = {
        **fixture("captured_2026_playlist_items_2_item_shape.json")["items"][0],
        "item": None,
    }
    assert spec.errors("current", "PlaylistTrackObject", removed, strict=True)
    assert spec.errors("current", "PlaylistTrackObject", removed) == []
    album = fixture("captured_2026_get_album.json")
    dev_mode_album = {k: v for k, v in album.items() if k not in ("label", "popularity")}
    assert "label" in " ".join(spec.errors("current", "AlbumObject", dev_mode_album, strict=True))
    assert spec.errors("current", "AlbumObject", dev_mode_album) == []
    # ...but the legacy spec keeps requiring them: legacy mode must send them.
    assert spec.errors("legacy", "AlbumObject", dev_mode_album)


# -- the replica ------------------------------------------------------------------------------


def test_playlist_objects_are_valid(api: Api) -> None:
    server = api.server
    mode = server.mode
    user, app = api.user_token(), api.app_token()
    ids = [*server.user_playlist_ids, *server.foreign_playlist_ids]
    if mode == "legacy":
        ids.append(TOP50_GLOBAL_ID)
    for pid in ids:
        for token in (user, app):
            playlist = api.ok(f"playlists/{pid}", token)
            assert spec.playlist_errors(mode, playlist) == [], pid
        with_market = api.ok(f"playlists/{pid}", user, market="SE")
        assert spec.playlist_errors(mode, with_market) == [], pid


def test_every_page_of_entries_is_valid(api: Api) -> None:
    server = api.server
    mode = server.mode
    token = api.user_token()
    endpoints = [("items", 50)] + ([("tracks", 100)] if mode == "legacy" else [])
    kinds = set()
    for pid in server.user_playlist_ids:
        for endpoint, limit in endpoints:
            for market in (None, "SE"):
                page = api.ok(f"playlists/{pid}/{endpoint}", token, limit=limit, market=market)
                while True:
                    assert spec.page_errors(mode, page) == [], (pid, endpoint, page["offset"])
                    for entry in page["items"]:
                        item = entry.get("item", entry.get("track"))
                        kinds.add(
                            "removed" if item is None else item["type"] + str(entry["is_local"])
                        )
                    if not page["next"]:
                        break
                    page = api.ok(page["next"], token)
    assert kinds == {"trackFalse", "trackTrue", "episodeFalse", "removed"}


def test_artists_and_albums_are_valid(api: Api) -> None:
    server = api.server
    mode = server.mode
    token = api.app_token()
    catalog = server.catalog
    albums = {}
    for album in catalog.albums.values():  # every type and date precision
        albums.setdefault((album.album_type, album.release_date_precision), album.id)
    for album_id in albums.values():
        album = api.ok(f"albums/{album_id}", token)
        assert spec.errors(mode, "AlbumObject", album) == [], album_id
        tracks = api.ok(f"albums/{album_id}/tracks", token, limit=5)
        assert spec.errors(mode, "PagingSimplifiedTrackObject", tracks) == []
    for artist_id in [*list(catalog.artists)[:10], "0LyfQWJT6nXafLPZqxe9Of"]:
        artist = api.ok(f"artists/{artist_id}", token)
        assert spec.errors(mode, "ArtistObject", artist) == [], artist_id
    track_id = next(iter(catalog.tracks))
    assert spec.errors(mode, "TrackObject", api.ok(f"tracks/{track_id}", token)) == []


def test_batch_responses_are_valid(legacy: ReplicaServer) -> None:
    api = Api(legacy)
    token = api.app_token()
    unknown = "0" * 22
    artists = api.ok("artists", token, ids=",".join([*list(legacy.catalog.artists)[:49], unknown]))
    assert artists["artists"][-1] is None
    assert spec.errors("legacy", spec.batch_schema("legacy", "artists"), artists) == []
    albums = api.ok("albums", token, ids=",".join(list(legacy.catalog.albums)[:20]))
    assert spec.errors("legacy", spec.batch_schema("legacy", "albums"), albums) == []


def test_my_playlists_are_valid(api: Api) -> None:
    page = api.ok("me/playlists", api.user_token())
    assert spec.errors(api.server.mode, "PagingPlaylistObject", page) == []


def test_error_bodies_are_valid(api: Api) -> None:
    server = api.server
    mode = server.mode
    token = api.user_token()
    bodies = [
        api.get("playlists/bad", token),
        api.get("playlists/" + "0" * 22, token),
        api.get(f"playlists/{server.user_playlist_ids[0]}/items", token, limit=0),
        api.get("me", None),
        api.get("me", "BQwrong"),
    ]
    server.inject_errors(status=403)
    bodies.append(api.get("me", token))
    server.inject_errors(status=429)
    bodies.append(api.get("me", token))
    server.inject_errors(status=500)
    bodies.append(api.get("me", token))
    statuses = set()
    for response in bodies:
        statuses.add(response.status_code)
        body = response.json()
        assert body["error"]["status"] == response.status_code
        assert spec.errors(mode, spec.response_schema(mode, "Unauthorized"), body) == []
    assert statuses == {400, 401, 403, 404, 429, 500}
