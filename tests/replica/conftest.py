"""Fixtures for the replica's tests: a catalog, servers in both modes, clients."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import spotipy
from spotipy.cache_handler import MemoryCacheHandler

from ingestion.spotify_replica import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    DEMO_SCOPE,
    Catalog,
    ReplicaServer,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
SPOTIFY = FIXTURES / "spotify"
MODES = ("current", "legacy")


def fixture(name: str) -> Any:
    return json.loads((SPOTIFY / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.generate(seed=42)


@pytest.fixture(params=MODES)
def server(request: pytest.FixtureRequest, catalog: Catalog) -> Iterator[ReplicaServer]:
    """A fresh server per test (cheap), once per mode."""
    with ReplicaServer(mode=request.param, catalog=catalog) as replica:
        yield replica


@pytest.fixture
def current(catalog: Catalog) -> Iterator[ReplicaServer]:
    with ReplicaServer(mode="current", catalog=catalog) as replica:
        yield replica


@pytest.fixture
def legacy(catalog: Catalog) -> Iterator[ReplicaServer]:
    with ReplicaServer(mode="legacy", catalog=catalog) as replica:
        yield replica


class Api:
    """Plain `requests` calls to a replica, with the token kinds the tests need."""

    def __init__(self, server: ReplicaServer) -> None:
        self.server = server
        self.session = requests.Session()

    def token(self, **form: str) -> requests.Response:
        return self.session.post(
            self.server.token_url, data=form, auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
        )

    def app_token(self) -> str:
        response = self.token(grant_type="client_credentials")
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def user_token(self) -> str:
        response = self.token(grant_type="refresh_token", refresh_token=DEMO_REFRESH_TOKEN)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def get(self, path: str, token: str | None, **params: Any) -> requests.Response:
        url = path if path.startswith("http") else f"{self.server.api_base_url}/{path}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.session.get(url, headers=headers, params=params)

    def ok(self, path: str, token: str, **params: Any) -> Any:
        response = self.get(path, token, **params)
        assert response.status_code == 200, response.text
        return response.json()

    def all_entries(self, playlist_id: str, token: str, endpoint: str, limit: int) -> list[dict]:
        page = self.ok(f"playlists/{playlist_id}/{endpoint}", token, limit=limit)
        entries = list(page["items"])
        while page["next"]:
            assert page["next"].startswith(self.server.api_base_url + "/")
            page = self.ok(page["next"], token)
            entries += page["items"]
        return entries


@pytest.fixture
def api(server: ReplicaServer) -> Api:
    return Api(server)


def spotipy_app(server: ReplicaServer) -> spotipy.Spotify:
    """spotipy with an app token (client credentials), pointed at the replica."""
    auth = spotipy.SpotifyClientCredentials(
        DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, cache_handler=MemoryCacheHandler()
    )
    auth.OAUTH_TOKEN_URL = server.token_url
    client = spotipy.Spotify(auth_manager=auth, retries=3, status_retries=3)
    client.prefix = server.api_base_url + "/"
    return client


def spotipy_user(server: ReplicaServer, refresh_token: str = DEMO_REFRESH_TOKEN) -> spotipy.Spotify:
    """spotipy with a user token obtained from a stored refresh token, as the pipeline does."""
    auth = spotipy.SpotifyOAuth(
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        redirect_uri="http://127.0.0.1:8888/callback",
        scope=DEMO_SCOPE,
        open_browser=False,
        cache_handler=MemoryCacheHandler(
            token_info={
                "access_token": "",
                "refresh_token": refresh_token,
                "expires_at": 0,
                "scope": DEMO_SCOPE,
            }
        ),
    )
    auth.OAUTH_TOKEN_URL = server.token_url
    auth.OAUTH_AUTHORIZE_URL = server.authorize_url
    client = spotipy.Spotify(auth_manager=auth)
    client.prefix = server.api_base_url + "/"
    return client
