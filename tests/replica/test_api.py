"""The Web API over real HTTP with `requests`: paging, modes, errors, faults, days."""

import json
import time

import pytest

from ingestion.spotify_replica import TOP50_GLOBAL_ID, Catalog, ReplicaServer
from tests.replica.conftest import SPOTIFY, Api, fixture


def _error(name: str) -> dict:
    return fixture(f"errors/{name}")


# -- authentication ---------------------------------------------------------------------------


def test_missing_invalid_and_expired_tokens(api: Api) -> None:
    playlist = f"playlists/{api.server.user_playlist_ids[0]}"
    missing = api.get(playlist, None)
    assert missing.status_code == 401
    assert missing.json() == {"error": {"status": 401, "message": "No token provided"}}
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="spotify"'
    invalid = api.get(playlist, "BQnot-a-token")
    assert (invalid.status_code, invalid.json()) == (401, _error("401_invalid_access_token.json"))
    basic = api.session.get(f"{api.server.api_base_url}/{playlist}", auth=("a", "b"))
    assert basic.status_code == 400
    token = api.app_token()
    assert api.get(playlist, token).status_code == 200
    api.server.expire_tokens()
    expired = api.get(playlist, token)
    assert (expired.status_code, expired.json()) == (401, _error("401_expired.json"))
    assert api.get(playlist, api.app_token()).status_code == 200  # a new token works


def test_tokens_expire_after_their_ttl(catalog: Catalog) -> None:
    with ReplicaServer(catalog=catalog, token_ttl_seconds=0.3) as server:
        api = Api(server)
        token = api.user_token()
        assert api.get("me", token).status_code == 200
        time.sleep(0.4)
        assert api.get("me", token).json() == _error("401_expired.json")


def test_tokens_know_whether_they_are_app_or_user_tokens(current: ReplicaServer) -> None:
    api = Api(current)
    assert api.get("me", api.app_token()).status_code == 401
    assert api.ok("me", api.user_token())["display_name"] == "Demo Listener"


# -- playlists and paging ---------------------------------------------------------------------


def test_paging_to_the_end_of_the_long_playlist(api: Api) -> None:
    server = api.server
    pid = server.user_playlist_ids[0]
    snap = server.playlist_snapshot(pid)
    assert snap.total > 100
    token = api.user_token()
    endpoints = [("items", 50)] + ([("tracks", 100)] if server.mode == "legacy" else [])
    for endpoint, limit in endpoints:
        first = api.ok(f"playlists/{pid}/{endpoint}", token, limit=limit)
        assert first["href"] == (
            f"{server.api_base_url}/playlists/{pid}/{endpoint}?offset=0&limit={limit}"
        )
        assert first["previous"] is None and first["total"] == snap.total
        assert first["next"] == (
            f"{server.api_base_url}/playlists/{pid}/{endpoint}?offset={limit}&limit={limit}"
        )
        entries = api.all_entries(pid, token, endpoint, limit)
        assert [e["added_at"] for e in entries] == [e.added_at for e in snap.entries]
        last = api.ok(f"playlists/{pid}/{endpoint}", token, limit=limit, offset=snap.total - 1)
        assert last["next"] is None and len(last["items"]) == 1
        assert last["previous"].startswith(server.api_base_url)
        beyond = api.ok(f"playlists/{pid}/{endpoint}", token, offset=snap.total + 5)
        assert beyond["items"] == [] and beyond["next"] is None


def test_page_size_defaults_and_limits(api: Api) -> None:
    pid = api.server.user_playlist_ids[0]
    token = api.user_token()
    assert api.ok(f"playlists/{pid}/items", token)["limit"] == 20
    for bad in ("0", "51", "abc", "-1"):
        response = api.get(f"playlists/{pid}/items", token, limit=bad)
        assert (response.status_code, response.json()) == (400, _error("400_invalid_limit.json"))
    assert api.get(f"playlists/{pid}/items", token, offset="-3").status_code == 400
    if api.server.mode == "legacy":
        assert api.ok(f"playlists/{pid}/tracks", token)["limit"] == 100
        assert api.get(f"playlists/{pid}/tracks", token, limit=101).status_code == 400
        assert api.ok(f"playlists/{pid}/tracks", token, limit=100)["next"] is not None


def test_ids_are_checked(api: Api) -> None:
    token = api.app_token()
    for path in ("playlists/not-an-id!", "artists/short", "albums/" + "x" * 23):
        response = api.get(path, token)
        assert (response.status_code, response.json()) == (
            400,
            _error("400_invalid_base62_id.json"),
        )
    for path in ("playlists/", "artists/", "albums/"):
        unknown = api.get(path + "0" * 22, token)
        assert (unknown.status_code, unknown.json()) == (404, _error("404_resource_not_found.json"))
    route = api.get("audio-features/" + "0" * 22, token)
    assert route.json() == {"error": {"status": 404, "message": "Service not found"}}


def test_current_mode_access_rules(current: ReplicaServer) -> None:
    api = Api(current)
    user, app = api.user_token(), api.app_token()
    mine, theirs = current.user_playlist_ids[0], current.foreign_playlist_ids[0]
    # Spotify's own playlists are gone for development-mode apps.
    for path in (f"playlists/{TOP50_GLOBAL_ID}", f"playlists/{TOP50_GLOBAL_ID}/items"):
        response = api.get(path, user)
        assert (response.status_code, response.json()) == (
            404,
            _error("404_resource_not_found.json"),
        )
    # /items: a user token, and only for the user's own playlists.
    forbidden = api.get(f"playlists/{mine}/items", app)
    assert (forbidden.status_code, forbidden.json()) == (403, _error("403_forbidden.json"))
    assert api.get(f"playlists/{theirs}/items", user).status_code == 403
    assert api.get(f"playlists/{mine}/items", user).status_code == 200
    # The playlist object itself is readable, but embeds its entries only for the owner.
    assert "items" in api.ok(f"playlists/{mine}", user)
    assert "items" not in api.ok(f"playlists/{theirs}", user)
    assert "items" not in api.ok(f"playlists/{mine}", app)
    # Removed endpoints.
    assert api.get(f"playlists/{mine}/tracks", user).status_code == 403
    assert api.get("artists", user, ids=next(iter(current.catalog.artists))).status_code == 403
    assert api.get("albums/", user, ids=next(iter(current.catalog.albums))).status_code == 403


def test_legacy_mode_serves_everything(legacy: ReplicaServer) -> None:
    api = Api(legacy)
    app = api.app_token()
    top50 = api.ok(f"playlists/{TOP50_GLOBAL_ID}/tracks", app)
    assert top50["total"] == 50 and top50["limit"] == 100
    assert {e["added_at"] for e in top50["items"]} == {top50["items"][0]["added_at"]}
    assert api.ok(f"playlists/{legacy.foreign_playlist_ids[0]}/items", app)["total"] > 0
    playlist = api.ok(f"playlists/{TOP50_GLOBAL_ID}", app)
    assert "tracks" in playlist and "items" not in playlist
    assert playlist["owner"]["id"] == "spotify"


# -- shapes compared with real responses ------------------------------------------------------

# Fields development-mode apps no longer get since February 2026 (publisher: on shows).
REMOVED_2026 = {"popularity", "available_markets", "followers", "label", "linked_from", "publisher"}


def _entries_by_kind(entries: list[dict], key: str) -> dict[str, dict]:
    kinds: dict[str, dict] = {}
    for entry in entries:
        item = entry[key]
        kind = "removed" if item is None else "local" if entry["is_local"] else item["type"]
        kinds.setdefault(kind, entry)
    return kinds


def test_entry_shapes_match_real_responses(api: Api) -> None:
    server = api.server
    token = api.user_token()
    entries = [
        e
        for pid in server.user_playlist_ids
        for e in api.all_entries(pid, token, "tracks" if server.mode == "legacy" else "items", 50)
    ]
    key = "track" if server.mode == "legacy" else "item"
    kinds = _entries_by_kind(entries, key)
    assert set(kinds) == {"track", "episode", "local", "removed"}
    real_track = fixture("top50_global_playlist_tracks.json")["items"][0]
    real_local = fixture("captured_2026_playlist_2_local.json")["tracks"]["items"][0]
    real_episode = fixture("captured_2026_playlist_3_episode.json")["tracks"]["items"][2]
    removed = set() if server.mode == "legacy" else REMOVED_2026
    if server.mode == "current":  # the real 2026 entry, item only
        real_entry = fixture("captured_2026_playlist_items_2_item_shape.json")["items"][0]
        assert set(kinds["track"]) == set(real_entry)
    else:
        assert set(kinds["track"]) == set(real_track)
    assert set(kinds["track"][key]) == set(real_track["track"]) - removed
    assert set(kinds["track"][key]["album"]) == set(real_track["track"]["album"]) - removed
    assert set(kinds["local"][key]) == set(real_local["track"]) - removed
    assert set(kinds["local"][key]["album"]) == set(real_local["track"]["album"]) - removed
    assert kinds["local"][key]["id"] is None and kinds["local"]["is_local"] is True
    assert kinds["local"][key]["uri"].startswith("spotify:local:")
    episode, real = kinds["episode"][key], real_episode["track"]
    assert set(episode) == set(real) - removed
    assert set(episode["show"]) == set(real["show"]) - removed
    assert kinds["removed"][key] is None
    assert kinds["track"]["primary_color"] is None
    assert kinds["track"]["video_thumbnail"] == {"url": None}


def test_playlist_artist_and_album_shapes(api: Api) -> None:
    server = api.server
    token = api.user_token()
    legacy = server.mode == "legacy"
    playlist = api.ok(f"playlists/{server.user_playlist_ids[0]}", token)
    real_playlist = fixture("captured_2026_playlist_4_item_shape.json")
    expected = set(real_playlist) - ({"items"} if legacy else {"tracks"})
    assert set(playlist) == expected
    page, key = (playlist["tracks"], "track") if legacy else (playlist["items"], "item")
    assert page["limit"] == 100
    item = next(
        e[key] for e in page["items"] if e[key] and e[key]["type"] == "track" and not e["is_local"]
    )
    artist = api.ok(f"artists/{item['artists'][0]['id']}", token)
    real_artist = fixture("legacy_get_artist.json")
    assert set(artist) == set(real_artist) - (set() if legacy else REMOVED_2026)
    album = api.ok(f"albums/{item['album']['id']}", token)
    real_album = fixture("captured_2026_get_album.json")
    assert set(album) == set(real_album) - (set() if legacy else REMOVED_2026)
    assert album["tracks"]["total"] == album["total_tracks"] == len(album["tracks"]["items"])
    assert set(album["tracks"]["items"][0]) == set(real_album["tracks"]["items"][0]) - (
        set() if legacy else REMOVED_2026
    )
    assert album["external_ids"]["upc"] and item["external_ids"]["isrc"]
    assert ("label" in album) == ("popularity" in album) == legacy
    assert ("followers" in artist) == ("popularity" in artist) == legacy


def test_compilation_has_various_artists_and_dates_have_three_precisions(
    api: Api, catalog: Catalog
) -> None:
    token = api.app_token()
    seen = {}
    for album in catalog.albums.values():
        seen.setdefault(album.album_type, album.id)
        seen.setdefault(album.release_date_precision, album.id)
    compilation = api.ok(f"albums/{seen['compilation']}", token)
    assert compilation["artists"][0]["name"] == "Various Artists"
    for precision, pattern in (("day", 10), ("month", 7), ("year", 4)):
        album = api.ok(f"albums/{seen[precision]}", token)
        assert album["release_date_precision"] == precision
        assert len(album["release_date"]) == pattern


def test_responses_are_utf8_json_with_non_latin_names(api: Api) -> None:
    token = api.user_token()
    response = api.get(f"playlists/{api.server.user_playlist_ids[2]}", token)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "Ночной город" in response.content.decode("utf-8")  # not \u-escaped


def test_market_adds_is_playable_and_drops_markets(api: Api) -> None:
    token = api.user_token()
    pid = api.server.user_playlist_ids[0]
    page = api.ok(f"playlists/{pid}/items", token, market="SE", additional_types="track,episode")
    tracks = [e.get("item") or e.get("track") for e in page["items"]]
    tracks = [t for t in tracks if t and t["type"] == "track" and not t["is_local"]]
    assert all(t["is_playable"] is True and "available_markets" not in t for t in tracks)
    assert page["href"].endswith("market=SE&additional_types=track%2Cepisode")
    assert "market=SE" in page["next"]
    assert api.get(f"playlists/{pid}/items", token, market="Sweden").status_code == 400


def test_fields_filter(api: Api) -> None:
    token = api.user_token()
    pid = api.server.user_playlist_ids[0]
    assert api.ok(f"playlists/{pid}", token, fields="snapshot_id,name") == {
        "name": api.server.playlist_snapshot(pid).playlist.name,
        "snapshot_id": api.server.playlist_snapshot(pid).snapshot_id,
    }
    page = api.ok(
        f"playlists/{pid}/items", token, fields="total,items(added_at,item(name,album(!images)))"
    )
    key = "item"
    assert set(page) == {"total", "items"}
    entry = next(e for e in page["items"] if e.get(key) and "album" in e[key])
    assert set(entry) == {"added_at", key} and "images" not in entry[key]["album"]
    assert api.get(f"playlists/{pid}", token, fields="items(").status_code == 400


def test_dual_keys_like_the_real_2026_captures(catalog: Catalog) -> None:
    with ReplicaServer(catalog=catalog, dual_keys=True) as server:
        api = Api(server)
        token = api.user_token()
        page = api.ok(f"playlists/{server.user_playlist_ids[0]}/items", token)
        assert set(page["items"][0]) == set(
            fixture("captured_2026_playlist_items.json")["items"][0]
        )
        playlist = api.ok(f"playlists/{server.user_playlist_ids[0]}", token)
        assert {"tracks", "items"} <= set(playlist)


def test_my_playlists(api: Api) -> None:
    page = api.ok("me/playlists", api.user_token(), limit=50)
    ids = [p["id"] for p in page["items"]]
    assert ids == [*api.server.user_playlist_ids, *api.server.foreign_playlist_ids]
    key = "tracks" if api.server.mode == "legacy" else "items"
    assert set(page["items"][0][key]) == {"href", "total"}


# -- batch endpoints (legacy) -----------------------------------------------------------------


def test_batch_endpoints_and_their_limits(legacy: ReplicaServer) -> None:
    api = Api(legacy)
    token = api.app_token()
    artist_ids = list(legacy.catalog.artists)[:50]
    body = api.ok("artists", token, ids=",".join(artist_ids))
    assert [a["id"] for a in body["artists"]] == artist_ids
    assert set(body["artists"][1]) == set(fixture("legacy_several_artists.json")["artists"][0])
    too_many = api.get("artists", token, ids=",".join(list(legacy.catalog.artists)[:51]))
    assert (too_many.status_code, too_many.json()) == (400, _error("400_too_many_ids.json"))
    unknown = "0" * 22
    mixed = api.ok("artists/", token, ids=f"{artist_ids[0]},{unknown}")
    assert mixed["artists"][1] is None and mixed["artists"][0]["id"] == artist_ids[0]
    album_ids = list(legacy.catalog.albums)
    assert len(api.ok("albums", token, ids=",".join(album_ids[:20]))["albums"]) == 20
    assert api.get("albums", token, ids=",".join(album_ids[:21])).status_code == 400
    assert api.get("albums", token, ids="bad-id").status_code == 400


# -- faults -----------------------------------------------------------------------------------


def test_injected_429_has_retry_after(api: Api) -> None:
    token = api.app_token()
    path = f"playlists/{api.server.user_playlist_ids[0]}"
    api.server.inject_errors(status=429, count=2, retry_after=7)
    for _ in range(2):
        response = api.get(path, token)
        assert response.status_code == 429 and response.headers["Retry-After"] == "7"
        assert response.json() == _error("429_rate_limit.json")
    assert api.get(path, token).status_code == 200
    api.server.inject_errors(status=429, reason="QUOTA_EXCEEDED")
    quota = api.get(path, token)
    assert quota.json() == _error("429_quota_exceeded_july2026.json")
    assert quota.headers["Retry-After"] == "1"


def test_injected_500_and_malformed_body(api: Api) -> None:
    token = api.app_token()
    path = f"playlists/{api.server.user_playlist_ids[0]}"
    api.server.inject_errors(status=500)
    failed = api.get(path, token)
    assert failed.status_code == 500 and failed.json()["error"]["status"] == 500
    api.server.inject_malformed(count=1)
    broken = api.get(path, token)
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.text)
    assert api.get(path, token).status_code == 200


def test_request_count_and_log(api: Api) -> None:
    server = api.server
    token = api.app_token()
    api.get(f"playlists/{server.user_playlist_ids[0]}", token, fields="name")
    api.get("artists/" + "0" * 22, token)
    assert server.request_count == 3
    method, path, status = server.request_log[1]
    assert (method, status) == ("GET", 200) and path.startswith("/v1/playlists/")
    assert server.request_log[0] == ("POST", "/api/token", 200)
    assert server.request_log[2].status == 404


# -- determinism and days ---------------------------------------------------------------------


def _normalised(server: ReplicaServer, body: str) -> str:
    return body.replace(server.api_base_url, "API")


def test_same_seed_same_responses(catalog: Catalog) -> None:
    bodies = []
    for seed_catalog in (Catalog.generate(seed=42), Catalog.generate(seed=42)):
        with ReplicaServer(catalog=seed_catalog, mode="legacy") as server:
            api = Api(server)
            token = api.app_token()
            pid = server.user_playlist_ids[0]
            texts = [
                api.get(f"playlists/{pid}", token).text,
                api.get(f"playlists/{pid}/tracks", token, offset=100).text,
                api.get(f"playlists/{TOP50_GLOBAL_ID}/tracks", token).text,
            ]
            bodies.append([_normalised(server, t) for t in texts])
    assert bodies[0] == bodies[1]


def test_set_day_changes_the_playlists(api: Api) -> None:
    server = api.server
    token = api.user_token()
    pid = server.user_playlist_ids[0]
    day0 = api.ok(f"playlists/{pid}", token)
    changed = None
    for day in range(1, 6):
        server.set_day(day)
        now = api.ok(f"playlists/{pid}", token)
        if now["snapshot_id"] != day0["snapshot_id"]:
            changed = now
            break
    assert changed is not None, "the playlist never changed in 5 days"
    page = "tracks" if server.mode == "legacy" else "items"
    assert changed[page]["items"] != day0[page]["items"]
    server.set_day(0)
    assert api.ok(f"playlists/{pid}", token) == day0  # the same day gives the same answer


def test_fixtures_are_trimmed_copies() -> None:
    # Guards against someone replacing them with the 350 kB originals.
    assert sum(p.stat().st_size for p in SPOTIFY.rglob("*.json")) < 150_000
