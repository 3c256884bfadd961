"""Shared fixtures: paths to the copied real Spotify responses."""

from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TOP50 = FIXTURES / "raw" / "top50_global_2023-11_playlist_tracks.json"
TOP50_PLAYLIST_ID = "37i9dQZEVXbMDoHDwVN2tF"
# What the marts hold after the Top 50 capture, counted by hand from the JSON; every
# warehouse (DuckDB, Snowflake) must agree.
TOP50_MART_COUNTS = {
    "songs": 50,
    "albums": 36,
    "artists": 48,
    "song_artists": 68,
    "album_artists": 45,
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[str]:
    """A real S3-compatible server (moto) on 127.0.0.1; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(moto_s3: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Credentials for the lake (dlt's config) and for boto/s3fs (AWS_*), pointing at moto."""
    for key, value in s3_environment(moto_s3).items():
        monkeypatch.setenv(key, value)
    yield moto_s3


@pytest.fixture
def s3_bucket(s3_env: str) -> str:
    """A fresh bucket per test, so tests never see each other's files."""
    import uuid

    import boto3

    name = f"lake-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_env).create_bucket(Bucket=name)
    return name


@pytest.fixture
def replica_factory() -> Iterator:
    """Start local Spotify API replicas on 127.0.0.1 (ephemeral ports); stops them after."""
    from ingestion.spotify_replica import Catalog, ReplicaServer

    servers = []

    def start(mode: str = "current", day: int = 0, **catalog_args):
        catalog = Catalog.generate(seed=catalog_args.pop("seed", 42), **catalog_args)
        server = ReplicaServer(mode=mode, catalog=catalog, day=day)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def source_args(server, user_token: bool = True, **overrides) -> dict:
    """`spotify_source` arguments for the replica's demo user, with test-friendly retries."""
    from orchestration.access import replica_source_args

    args = {**replica_source_args(server, user_token), "max_retry_after_seconds": 5}
    args.pop("api_mode")  # most tests exercise the configured default ("auto")
    args.update(overrides)
    return args


def s3_environment(endpoint: str) -> dict[str, str]:
    """The lake's credentials in dlt's config (and boto's, for s3fs and the tests' checks),
    pointing at the S3 server at `endpoint`."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "DESTINATION__FILESYSTEM__CREDENTIALS__AWS_ACCESS_KEY_ID": "testing",
        "DESTINATION__FILESYSTEM__CREDENTIALS__AWS_SECRET_ACCESS_KEY": "testing",
        "DESTINATION__FILESYSTEM__CREDENTIALS__REGION_NAME": "us-east-1",
        "DESTINATION__FILESYSTEM__CREDENTIALS__ENDPOINT_URL": endpoint,
    }
