"""The lake → Snowflake load (dlt's Snowflake destination) against a Snowflake server.

The server is fakesnow's, on 127.0.0.1 (tests/production/snowflake_server.py). dlt
runs its own Snowflake load job unchanged: CREATE TABLE with Snowflake types, PUT
of each gzipped JSON-lines file to the table's stage over HTTP, COPY INTO … FILE_FORMAT
= (TYPE = 'JSON') MATCH_BY_COLUMN_NAME, then its merge into raw_spotify. Service users
log in with a key pair (encrypted key + passphrase, inline or from a file) or a
password, checked by the server against `ALTER USER … SET RSA_PUBLIC_KEY / PASSWORD`.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import snowflake.connector
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dlt.common.destination.exceptions import DestinationException

from ingestion.lake import Lake
from ingestion.lake.imports import import_files
from ingestion.raw_tables import RAW_TABLES
from ingestion.warehouse.destinations import snowflake_destination, warehouse_destination_for
from ingestion.warehouse.load import load_lake, warehouse_pipeline
from tests.conftest import TOP50, TOP50_PLAYLIST_ID
from tests.production.snowflake_server import SnowflakeServer

DATABASE = "SPOTIFY_LOAD"
CREDENTIALS = "DESTINATION__SNOWFLAKE__CREDENTIALS__"


@pytest.fixture(scope="module")
def environment(snowflake_server: SnowflakeServer) -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in snowflake_server.dlt_environment(DATABASE).items():
            patch.setenv(key, value)
        yield patch


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake(str(tmp_path_factory.mktemp("lake")))
    assert import_files([str(TOP50)], lake).errors == []
    return lake


@pytest.fixture(scope="module")
def loaded(
    environment: pytest.MonkeyPatch, lake: Lake, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    pipeline = warehouse_pipeline(
        snowflake_destination("fakesnow"), tmp_path_factory.mktemp("pipelines")
    )
    info = load_lake(pipeline, lake, rebuild=True)
    return pipeline, info


def _rows(server: SnowflakeServer, sql: str) -> list[tuple[Any, ...]]:
    return server.query(DATABASE, sql)


def test_target_picks_the_warehouse(tmp_path: Path) -> None:
    duckdb = warehouse_destination_for("dev", tmp_path / "warehouse.duckdb")
    prod = warehouse_destination_for("prod", tmp_path / "unused.duckdb")
    assert warehouse_destination_for("ci", tmp_path / "ci.duckdb").destination_type == (
        "dlt.destinations.duckdb"
    )
    assert duckdb.destination_type == "dlt.destinations.duckdb"
    assert prod.destination_type == "dlt.destinations.snowflake"
    # Every Snowflake target reads [destination.snowflake…], the test server's too.
    assert prod.destination_name == "snowflake"
    assert prod.capabilities().supports_multiple_statements
    assert not (tmp_path / "unused.duckdb").exists()


def test_credentials_come_from_dlt_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = _pem(key, b"passphrase")
    for name, value in {
        "DATABASE": "SPOTIFY",
        "HOST": "kgiotue-wn98412",
        "USERNAME": "SPOTIFY_LOADER",
        "WAREHOUSE": "SPOTIFY_WH",
        "ROLE": "SPOTIFY_LOADER",
        "PRIVATE_KEY": pem,
        "PRIVATE_KEY_PASSPHRASE": "passphrase",
    }.items():
        monkeypatch.setenv(CREDENTIALS + name, value)

    pipeline = warehouse_pipeline(snowflake_destination("prod"), tmp_path)
    credentials = pipeline.destination_client().config.credentials  # no connection yet

    params = credentials.to_connector_params()
    assert params["account"] == "kgiotue-wn98412"
    assert params["user"] == "SPOTIFY_LOADER"
    assert (params["database"], params["warehouse"], params["role"]) == (
        "SPOTIFY",
        "SPOTIFY_WH",
        "SPOTIFY_LOADER",
    )
    assert params["password"] is None
    # dlt decrypted the key with the passphrase; the connector gets it as DER.
    assert params["private_key"] == key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert "private_key_passphrase" not in params


def test_raw_tables_have_snowflake_types(loaded: Any, snowflake_server: SnowflakeServer) -> None:
    columns = _rows(
        snowflake_server,
        "select lower(table_name), lower(column_name), data_type from information_schema.columns "
        "where table_schema = 'RAW_SPOTIFY' and table_name not like '\\\\_DLT%' escape '\\\\'",
    )
    types = {(table, column): data_type for table, column, data_type in columns}
    for table in RAW_TABLES:
        assert types[(table, "payload")] == "VARIANT"
        assert types[(table, "observed_at")] == "TIMESTAMP_TZ"
        assert types[(table, "_dlt_load_id")] == "TEXT"
    assert types[("playlist_entries", "position")] == "NUMBER"


def test_the_lake_lands_in_raw_spotify(loaded: Any, snowflake_server: SnowflakeServer) -> None:
    _, info = loaded
    assert not info.has_failed_jobs
    counts = {
        t: _rows(snowflake_server, f"select count(*) from raw_spotify.{t}")[0][0]
        for t in RAW_TABLES
    }
    # An archived entries page: entries only, as in the DuckDB tests.
    assert counts == {"playlists": 0, "playlist_entries": 50, "artists": 0, "albums": 0}
    ((playlist_id, snapshots),) = _rows(
        snowflake_server,
        "select playlist_id, count(distinct snapshot_id) from raw_spotify.playlist_entries "
        "group by 1",
    )
    assert (playlist_id, snapshots) == (TOP50_PLAYLIST_ID, 1)


def test_payload_is_the_api_object_as_variant(
    loaded: Any, snowflake_server: SnowflakeServer
) -> None:
    first = json.loads(TOP50.read_text())["items"][0]
    ((payload, name, artist),) = _rows(
        snowflake_server,
        'select payload, payload:"track"."name"::varchar, '
        'payload:"track"."artists"[0]."name"::varchar '
        "from raw_spotify.playlist_entries where position = 0",
    )
    assert json.loads(payload) == first
    assert name == first["track"]["name"]
    assert artist == "Taylor Swift"


def test_files_went_through_the_table_stage(loaded: Any, snowflake_server: SnowflakeServer) -> None:
    # dlt keeps staged files by default (keep_staged_files); each is a gzipped JSON-lines file.
    staged = _rows(snowflake_server, "list @raw_spotify.%playlist_entries")
    assert staged
    assert all(name.endswith(".jsonl.gz") for name, *_ in staged)


def test_loading_again_changes_nothing_and_rebuild_reloads(
    loaded: Any, lake: Lake, snowflake_server: SnowflakeServer
) -> None:
    pipeline, first = loaded
    load_lake(pipeline, lake)  # no new lake files
    assert _rows(snowflake_server, "select count(*) from raw_spotify.playlist_entries") == [(50,)]
    rebuilt = load_lake(pipeline, lake, rebuild=True)
    assert _rows(snowflake_server, "select count(*) from raw_spotify.playlist_entries") == [(50,)]
    load_ids = _rows(
        snowflake_server, "select distinct _dlt_load_id from raw_spotify.playlist_entries"
    )
    assert load_ids == [(rebuilt.loads_ids[0],)]
    assert rebuilt.loads_ids != first.loads_ids


# ---- service users: key pair and password -------------------------------------------


def _pem(key: rsa.RSAPrivateKey, passphrase: bytes | None) -> str:
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode()


def _public_key_body(key: rsa.RSAPrivateKey) -> str:
    """The key as ALTER USER … SET RSA_PUBLIC_KEY takes it: the PEM body, one line."""
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "".join(pem.decode().splitlines()[1:-1])


def _alter_user(server: SnowflakeServer, sql: str) -> None:
    with snowflake.connector.connect(**server.connector_params(DATABASE)) as connection:
        connection.cursor().execute(sql)


def _connect_as_dlt(tmp_path: Path) -> list[tuple[Any, ...]]:
    pipeline = warehouse_pipeline(snowflake_destination("fakesnow"), tmp_path / "pipelines")
    with pipeline.sql_client() as client:
        return client.execute_sql("select 1")


@pytest.fixture(scope="module")
def loader_key(snowflake_server: SnowflakeServer) -> rsa.RSAPrivateKey:
    """The loader's key pair; its public half registered as the setup script does."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _alter_user(
        snowflake_server,
        f"ALTER USER SPOTIFY_LOADER SET RSA_PUBLIC_KEY = '{_public_key_body(key)}'",
    )
    return key


@pytest.mark.parametrize("form", ["inline", "file"])
def test_loader_logs_in_with_an_encrypted_key_pair(
    form: str,
    environment: pytest.MonkeyPatch,
    loader_key: rsa.RSAPrivateKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pem = _pem(loader_key, b"correct horse")
    monkeypatch.setenv(CREDENTIALS + "USERNAME", "SPOTIFY_LOADER")
    monkeypatch.delenv(CREDENTIALS + "PASSWORD")
    if form == "inline":
        monkeypatch.setenv(CREDENTIALS + "PRIVATE_KEY", pem)
    else:
        (tmp_path / "rsa_key.p8").write_text(pem)
        monkeypatch.setenv(CREDENTIALS + "PRIVATE_KEY_PATH", str(tmp_path / "rsa_key.p8"))
    monkeypatch.setenv(CREDENTIALS + "PRIVATE_KEY_PASSPHRASE", "correct horse")

    assert _connect_as_dlt(tmp_path) == [(1,)]


def test_loader_with_another_key_is_refused(
    environment: pytest.MonkeyPatch,
    loader_key: rsa.RSAPrivateKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setenv(CREDENTIALS + "USERNAME", "SPOTIFY_LOADER")
    monkeypatch.delenv(CREDENTIALS + "PASSWORD")
    monkeypatch.setenv(CREDENTIALS + "PRIVATE_KEY", _pem(stranger, None))

    with pytest.raises((DestinationException, snowflake.connector.errors.Error)) as refused:
        _connect_as_dlt(tmp_path)
    assert "JWT token is invalid" in str(refused.value)


def test_password_users_log_in_with_their_password_only(
    environment: pytest.MonkeyPatch,
    snowflake_server: SnowflakeServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _alter_user(snowflake_server, "ALTER USER LEGACY_LOADER SET PASSWORD = 'right-password'")
    monkeypatch.setenv(CREDENTIALS + "USERNAME", "LEGACY_LOADER")
    monkeypatch.setenv(CREDENTIALS + "PASSWORD", "right-password")
    assert _connect_as_dlt(tmp_path) == [(1,)]

    monkeypatch.setenv(CREDENTIALS + "PASSWORD", "wrong-password")
    with pytest.raises((DestinationException, snowflake.connector.errors.Error)) as refused:
        _connect_as_dlt(tmp_path / "again")
    assert "Incorrect username or password" in str(refused.value)
