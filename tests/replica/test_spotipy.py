"""spotipy 2.26 itself against the replica, pointed at it the way the pipeline does."""

import time

import pytest
import requests
import spotipy
from spotipy.cache_handler import MemoryCacheHandler

from ingestion.spotify_replica import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SCOPE,
    TOP50_GLOBAL_ID,
    ReplicaServer,
)
from tests.replica.conftest import spotipy_app, spotipy_user


def test_app_token_reads_playlists_artists_albums(server: ReplicaServer) -> None:
    sp = spotipy_app(server)
    pid = server.user_playlist_ids[0]
    playlist = sp.playlist(pid)
    assert playlist["id"] == pid
    assert playlist["snapshot_id"] == server.playlist_snapshot(pid).snapshot_id
    track = server.playlist_snapshot(pid).entries[0].item
    assert sp.artist(track.artists[0].id)["name"] == track.artists[0].name
    assert sp.album(track.album.id)["total_tracks"] == track.album.total_tracks
    assert sp.track(track.id)["name"] == track.name


def test_user_token_pages_to_the_end_of_the_long_playlist(server: ReplicaServer) -> None:
    sp = spotipy_user(server)
    pid = server.user_playlist_ids[0]
    total = server.playlist_snapshot(pid).total
    page = sp.playlist_items(pid, limit=50)  # spotipy 2.26: /items
    seen = len(page["items"])
    while page["next"]:
        page = sp.next(page)
        seen += len(page["items"])
    assert seen == total > 100
    if server.mode == "legacy":  # what spotipy 2.25 did: /tracks, 100 a page
        page = sp._get(f"playlists/{pid}/tracks", limit=100)
        assert len(page["items"]) == 100 and len(sp.next(page)["items"]) == total - 100


def test_current_mode_refusals(current: ReplicaServer) -> None:
    app, user = spotipy_app(current), spotipy_user(current)
    with pytest.raises(spotipy.SpotifyException) as forbidden:
        app.playlist_items(current.user_playlist_ids[0])
    assert forbidden.value.http_status == 403
    with pytest.raises(spotipy.SpotifyException) as missing:
        user.playlist(TOP50_GLOBAL_ID)
    assert missing.value.http_status == 404 and "Resource not found" in missing.value.msg
    with pytest.raises(spotipy.SpotifyException) as removed:
        user.artists(list(current.catalog.artists)[:2])
    assert removed.value.http_status == 403
    with pytest.raises(spotipy.SpotifyException) as theirs:
        user.playlist_items(current.foreign_playlist_ids[0])
    assert theirs.value.http_status == 403


def test_legacy_mode_editorial_and_batches(legacy: ReplicaServer) -> None:
    sp = spotipy_app(legacy)
    assert sp.playlist(TOP50_GLOBAL_ID)["tracks"]["total"] == 50
    artist_ids = list(legacy.catalog.artists)
    assert len(sp.artists(artist_ids[:50])["artists"]) == 50
    with pytest.raises(spotipy.SpotifyException) as too_many:
        sp.artists(artist_ids[:51])
    assert too_many.value.http_status == 400 and "too many ids requested" in too_many.value.msg
    assert len(sp.albums(list(legacy.catalog.albums)[:20])["albums"]) == 20


def test_spotipy_waits_for_retry_after_on_429(server: ReplicaServer) -> None:
    sp = spotipy_app(server)
    pid = server.user_playlist_ids[0]
    sp.playlist(pid)  # token first, so only the API call is rate limited
    server.inject_errors(status=429, count=1, retry_after=1)
    started = time.monotonic()
    assert sp.playlist(pid)["id"] == pid
    assert time.monotonic() - started >= 0.9
    assert [entry.status for entry in server.request_log[-2:]] == [429, 200]


def test_spotipy_retries_a_500(current: ReplicaServer) -> None:
    sp = spotipy_app(current)
    current.inject_errors(status=500, count=1)
    assert sp.playlist(current.user_playlist_ids[0])
    assert [e.status for e in current.request_log].count(500) == 1


def test_expired_token_and_bad_refresh_token(server: ReplicaServer) -> None:
    sp = spotipy_user(server)
    pid = server.user_playlist_ids[0]
    sp.playlist(pid)
    server.expire_tokens()  # spotipy still believes its token is good for an hour
    with pytest.raises(spotipy.SpotifyException) as expired:
        sp.playlist(pid)
    assert expired.value.http_status == 401 and "The access token expired" in expired.value.msg
    with pytest.raises(spotipy.SpotifyOauthError) as refused:
        spotipy_user(server, refresh_token="AQrevoked").playlist(pid)
    assert refused.value.error == "invalid_grant"


def test_malformed_body_gives_none(current: ReplicaServer) -> None:
    sp = spotipy_app(current)
    current.inject_malformed()
    assert sp.playlist(current.user_playlist_ids[0]) is None  # spotipy swallows the ValueError


def test_authorization_code_flow_with_spotipy(current: ReplicaServer) -> None:
    """What a one-time `auth` command does: consent URL, redirect, code, tokens."""
    oauth = spotipy.SpotifyOAuth(
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        redirect_uri="http://127.0.0.1:8888/callback",
        scope=DEMO_SCOPE,
        open_browser=False,
        cache_handler=MemoryCacheHandler(),
    )
    oauth.OAUTH_AUTHORIZE_URL = current.authorize_url
    oauth.OAUTH_TOKEN_URL = current.token_url
    url = oauth.get_authorize_url(state="s1")
    assert url.startswith(current.authorize_url + "?")
    redirect = requests.get(url, allow_redirects=False)
    state, code = oauth.parse_auth_response_url(redirect.headers["Location"])
    assert state == "s1" and code
    oauth.get_access_token(code, as_dict=False, check_cache=False)
    token_info = oauth.cache_handler.get_cached_token()
    assert token_info["refresh_token"].startswith("AQ")
    sp = spotipy.Spotify(auth_manager=oauth)
    sp.prefix = current.api_base_url + "/"
    assert sp.current_user()["id"] == current.catalog.demo_user.id
    mine = sp.current_user_playlists(limit=50)["items"]
    assert [p["id"] for p in mine][: len(current.user_playlist_ids)] == list(
        current.user_playlist_ids
    )
    # The refresh token from the exchange works for a later run.
    refreshed = spotipy_user(current, refresh_token=token_info["refresh_token"])
    assert refreshed.playlist_items(current.user_playlist_ids[1])["total"] > 0
