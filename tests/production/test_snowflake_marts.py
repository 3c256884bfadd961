"""Production end to end: an S3 lake, a Snowflake warehouse, dbt's marts — by configuration only.

`spotify-elt import-raw … --target fakesnow` lands a real archived response (Top 50
Global, 2023-11-01) in a lake on S3 (moto's server), loads it into Snowflake
(fakesnow's server) with dlt's Snowflake destination, and runs `dbt build` through
dbt-snowflake with the committed profiles.yml. Both service users log in with an
encrypted key pair, as in production. The figures are those of the DuckDB tests.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import snowflake.connector
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from orchestration.cli import main
from tests.conftest import TOP50, TOP50_MART_COUNTS, TOP50_PLAYLIST_ID, s3_environment
from tests.production.snowflake_server import SnowflakeServer

# dbt-snowflake 1.11 still passes the connector's deprecated `insecure_mode`.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:The 'insecure_mode' connection property is deprecated:DeprecationWarning"
    ),
    # A whole dbt build through fakesnow's server: 137 nodes, each over HTTP.
    pytest.mark.timeout(1800),
]

DATABASE = "SPOTIFY_E2E"
DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
PASSPHRASE = "a passphrase for the tests"


def _key_pair(server: SnowflakeServer, user: str) -> str:
    """A new key pair for `user`: registered as the setup script does, private PEM returned."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    body = "".join(public.decode().splitlines()[1:-1])
    with snowflake.connector.connect(**server.connector_params(DATABASE)) as connection:
        connection.cursor().execute(f"ALTER USER {user} SET RSA_PUBLIC_KEY = '{body}'")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE.encode()),
    ).decode()


@pytest.fixture(scope="module")
def environment(
    moto_s3: str, snowflake_server: SnowflakeServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Everything production reads from its environment, pointed at the local servers."""
    bucket = "spotify-elt-e2e"
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_s3,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket=bucket)
    s3.put_object(
        Bucket=bucket,
        Key="raw_data/spotify_raw_2023-11-01 08:50:00.json",
        Body=TOP50.read_bytes(),
    )
    loader_key = _key_pair(snowflake_server, "SPOTIFY_LOADER")
    transformer_key = _key_pair(snowflake_server, "SPOTIFY_TRANSFORMER")
    loader = {
        **snowflake_server.dlt_environment(DATABASE, user="SPOTIFY_LOADER"),
        "DESTINATION__SNOWFLAKE__CREDENTIALS__PASSWORD": "",
        "DESTINATION__SNOWFLAKE__CREDENTIALS__PRIVATE_KEY": loader_key,
        "DESTINATION__SNOWFLAKE__CREDENTIALS__PRIVATE_KEY_PASSPHRASE": PASSPHRASE,
    }
    transformer = {
        **snowflake_server.dbt_environment(DATABASE, user="SPOTIFY_TRANSFORMER"),
        "DBT_ENV_SECRET_SNOWFLAKE_PASSWORD": "",
        "DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY": transformer_key,
        "DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE": PASSPHRASE,
    }
    values = {
        "SPOTIFY_ELT_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "SPOTIFY_ELT_LAKE_URL": f"s3://{bucket}/lake",
        "SPOTIFY_ELT_TARGET": "fakesnow",
        **s3_environment(moto_s3),
        **loader,
        **transformer,
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in values.items():
            patch.setenv(key, value)
        yield {**values, "bucket": bucket}


@pytest.fixture(scope="module")
def imported(environment: dict[str, str]) -> Result:
    """`spotify-elt import-raw s3://…/raw_data/ --no-docs`; target and lake from the environment."""
    return CliRunner().invoke(
        main, ["import-raw", f"s3://{environment['bucket']}/raw_data/", "--no-docs"]
    )


def _query(server: SnowflakeServer, sql: str) -> list[tuple[Any, ...]]:
    return server.query(DATABASE, sql)


def _run_results(environment: dict[str, str]) -> list[dict[str, Any]]:
    path = Path(environment["SPOTIFY_ELT_DATA_DIR"]) / "dbt" / "target" / "run_results.json"
    return json.loads(path.read_text())["results"]


def test_import_load_and_build_succeed(imported: Result) -> None:
    assert imported.exit_code == 0, imported.output + repr(imported.exception)
    assert f"playlist {TOP50_PLAYLIST_ID}, 50 entries" in imported.output
    assert "playlist_entries 50" in imported.output


def test_dbt_build_passes_every_model_and_data_test_and_the_unit_tests_run(
    imported: Result, environment: dict[str, str]
) -> None:
    results = _run_results(environment)
    kinds: dict[str, list[str]] = {}
    for result in results:
        kinds.setdefault(result["unique_id"].split(".")[0], []).append(result["status"])
    models = {path.stem for path in (DBT_PROJECT_DIR / "models").rglob("*.sql")}
    assert len(kinds["model"]) == len(models)
    assert len(kinds["test"]) >= 50
    # The pipeline's build leaves the unit tests out (they check the SQL, not the data);
    # on Snowflake's dialect they run here, through the dbt passthrough.
    unit = CliRunner().invoke(main, ["dbt", "test", "--select", "test_type:unit"])
    assert unit.exit_code == 0, unit.output
    unit_results = _run_results(environment)
    assert len(unit_results) >= 6
    assert all(r["unique_id"].startswith("unit_test.") for r in unit_results)
    failed = [
        r["unique_id"]
        for r in [*results, *unit_results]
        if r["status"] not in ("success", "pass")
        and not (r["unique_id"].startswith("exposure.") and r["status"] == "no-op")
    ]
    assert failed == []


def test_marts_hold_the_playlist(imported: Result, snowflake_server: SnowflakeServer) -> None:
    counts = {
        mart: _query(snowflake_server, f"select count(*) from marts.{mart}")[0][0]
        for mart in TOP50_MART_COUNTS
    }
    assert counts == TOP50_MART_COUNTS
    assert dict(
        _query(snowflake_server, "select album_type, count(*) from marts.albums group by 1")
    ) == {
        "album": 23,
        "single": 11,
        "compilation": 2,
    }
    assert _query(
        snowflake_server,
        "select count(*), count(distinct song_id) from marts.playlist_entries "
        f"where playlist_id = '{TOP50_PLAYLIST_ID}'",
    ) == [(50, 50)]


def test_release_dates_of_every_precision(
    imported: Result, snowflake_server: SnowflakeServer
) -> None:
    rows = _query(
        snowflake_server,
        "select release_date_precision, count(*), min(release_date) from marts.albums "
        "group by 1 order by 1",
    )
    assert [(precision, count) for precision, count, _ in rows] == [("day", 35), ("year", 1)]
    assert str(rows[1][2]) == "1962-01-01"


def test_the_lake_is_on_s3_and_the_warehouse_holds_no_duckdb_file(
    imported: Result, environment: dict[str, str]
) -> None:
    s3 = boto3.client("s3", endpoint_url=environment["AWS_ENDPOINT_URL"])
    keys = [
        item["Key"]
        for item in s3.list_objects_v2(Bucket=environment["bucket"], Prefix="lake/")["Contents"]
    ]
    assert any(key.startswith("lake/imports/date=2023-11-01/") for key in keys)
    assert not (Path(environment["SPOTIFY_ELT_DATA_DIR"]) / "warehouse.duckdb").exists()


def test_docs_site_builds_from_snowflake(imported: Result, environment: dict[str, str]) -> None:
    docs = CliRunner().invoke(main, ["dbt", "docs", "generate", "--static"])
    assert docs.exit_code == 0, docs.output
    site = Path(environment["SPOTIFY_ELT_DATA_DIR"]) / "dbt" / "target" / "static_index.html"
    assert "songs" in site.read_text()


def test_a_wrong_transformer_key_fails_the_build(
    imported: Result, snowflake_server: SnowflakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setenv(
        "DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY",
        stranger.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    )
    monkeypatch.delenv("DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE")
    result = CliRunner().invoke(main, ["transform", "--no-docs"])
    assert result.exit_code == 1
    assert "JWT token is invalid" in result.output


def test_no_snowflake_secret_on_disk_or_on_screen(
    imported: Result, environment: dict[str, str]
) -> None:
    """The Snowflake private keys and their passphrase: not in the output, the data dir
    (dlt state and traces, dbt target and logs) or the S3 lake."""
    secrets = {"passphrase": PASSPHRASE}
    for name in (
        "DESTINATION__SNOWFLAKE__CREDENTIALS__PRIVATE_KEY",
        "DBT_ENV_SECRET_SNOWFLAKE_PRIVATE_KEY",
    ):
        # a line of the key's body: found however its line breaks were stored
        secrets[name] = environment[name].splitlines()[2]
    leaks = [f"{name} printed" for name, secret in secrets.items() if secret in imported.output]
    data_dir = Path(environment["SPOTIFY_ELT_DATA_DIR"])
    files = [path for path in data_dir.rglob("*") if path.is_file()]
    assert any(path.name == "run_results.json" for path in files)  # dbt's output is there
    for path in files:
        content = path.read_bytes()
        leaks += [
            f"{name} in {path}" for name, secret in secrets.items() if secret.encode() in content
        ]
    s3 = boto3.client("s3", endpoint_url=environment["AWS_ENDPOINT_URL"])
    for item in s3.list_objects_v2(Bucket=environment["bucket"], Prefix="lake/")["Contents"]:
        content = s3.get_object(Bucket=environment["bucket"], Key=item["Key"])["Body"].read()
        leaks += [
            f"{name} in s3 {item['Key']}"
            for name, secret in secrets.items()
            if secret.encode() in content
        ]
    assert not leaks, leaks
