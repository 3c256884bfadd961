"""The two dlt pipelines: API → lake (`spotify_lake`) and lake → warehouse (`spotify`)."""

import os
from pathlib import Path
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.destinations import filesystem

from ingestion.bulk_load import load_lake_bulk
from ingestion.lake import LAKE_DATASET, LAKE_LAYOUT, Lake

LAKE_PIPELINE = "spotify_lake"
WAREHOUSE_PIPELINE = "spotify"
RAW_DATASET = "raw_spotify"


def lake_pipeline(lake: Lake, pipelines_dir: Path) -> dlt.Pipeline:
    """Pipeline that lands the API records in the lake as plain JSON lines."""
    # Plain .jsonl so people can read the lake with any tool; scoped to this pipeline.
    os.environ.setdefault(
        f"{LAKE_PIPELINE.upper()}__NORMALIZE__DATA_WRITER__DISABLE_COMPRESSION", "true"
    )
    return dlt.pipeline(
        pipeline_name=LAKE_PIPELINE,
        destination=filesystem(
            bucket_url=lake.url, layout=LAKE_LAYOUT, credentials=lake.credentials
        ),
        dataset_name=LAKE_DATASET,
        pipelines_dir=str(pipelines_dir),
    )


def warehouse_pipeline(destination: Any, pipelines_dir: Path) -> dlt.Pipeline:
    """Pipeline that loads the lake into `raw_spotify` in DuckDB or Snowflake."""
    return dlt.pipeline(
        pipeline_name=WAREHOUSE_PIPELINE,
        destination=destination,
        dataset_name=RAW_DATASET,
        pipelines_dir=str(pipelines_dir),
    )


def load_lake(pipeline: dlt.Pipeline, lake: Lake, rebuild: bool = False) -> LoadInfo:
    """Load lake files not loaded before; with rebuild, drop the raw tables and reload all."""
    return load_lake_bulk(pipeline, lake, rebuild=rebuild)
