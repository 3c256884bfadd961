"""The lake on S3, over a real S3 protocol connection (moto's server on 127.0.0.1)."""

import boto3
import duckdb

from ingestion.lake import Lake
from ingestion.lake.imports import import_files
from orchestration import steps
from orchestration.config import Settings
from tests.conftest import TOP50, TOP50_PLAYLIST_ID


def test_archive_from_s3_lands_unchanged_in_an_s3_lake_and_loads(
    s3_env: str, s3_bucket: str, data_dir, monkeypatch
) -> None:
    s3 = boto3.client("s3", endpoint_url=s3_env)
    archive_key = "raw_data/to_processed/spotify_raw_2023-11-01 08:50:00.json"
    s3.put_object(Bucket=s3_bucket, Key=archive_key, Body=TOP50.read_bytes())
    lake_url = f"s3://{s3_bucket}/lake"

    outcome = import_files([f"s3://{s3_bucket}/raw_data/"], Lake(lake_url))

    assert outcome.errors == []
    meta = outcome.imported[0]
    assert meta.playlist_id == TOP50_PLAYLIST_ID
    assert meta.observed_at == "2023-11-01T08:50:00+00:00"
    landed = s3.get_object(Bucket=s3_bucket, Key=f"lake/{meta.lake_path}")["Body"].read()
    assert landed == TOP50.read_bytes()
    assert meta.lake_path.startswith("imports/date=2023-11-01/")

    monkeypatch.setenv("SPOTIFY_ELT_LAKE_URL", lake_url)
    settings = Settings.resolve(data_dir)
    assert settings.lake_url == lake_url
    result = steps.load(settings)
    assert result.rows["playlist_entries"] == 50
    # Importing and loading again changes nothing.
    assert import_files([f"s3://{s3_bucket}/raw_data/"], Lake(lake_url)).imported == []
    assert steps.load(settings).rows["playlist_entries"] == 50
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as db:
        ids = db.sql("select distinct playlist_id from raw_spotify.playlist_entries").fetchall()
    assert ids == [(TOP50_PLAYLIST_ID,)]


def test_lake_files_on_s3_load_in_bulk_through_fsspec(
    s3_env: str, s3_bucket: str, data_dir, tmp_path, monkeypatch
) -> None:
    """DuckDB reads the s3:// lake through the lake's own fsspec filesystem (no httpfs)."""
    from benchmarks.synthetic_lake import LakeWriter, bench_catalog

    local = tmp_path / "generated"
    written = LakeWriter(bench_catalog(2, 10), local, "http://127.0.0.1:8765/v1").write_day(0)
    s3 = boto3.client("s3", endpoint_url=s3_env)
    for path in written.files.values():
        s3.upload_file(str(path), s3_bucket, f"lake/{path.relative_to(local)}")
    monkeypatch.setenv("SPOTIFY_ELT_LAKE_URL", f"s3://{s3_bucket}/lake")
    settings = Settings.resolve(data_dir)

    assert steps.load(settings).rows == written.records
    assert steps.load(settings).rows == written.records  # nothing twice
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as db:
        files = db.sql("select distinct lake_file from raw_spotify.albums").fetchall()
    assert files == [(str(written.files["albums"].relative_to(local)),)]
