"""Writing the lake: the dlt pipeline `spotify_lake` lands source records as JSON lines."""

import os
from pathlib import Path

import dlt
from dlt.destinations import filesystem
from dlt.extract import DltSource

from ingestion.lake.layout import LAKE_DATASET, LAKE_LAYOUT, Lake

LAKE_PIPELINE = "spotify_lake"


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


def land(source: DltSource, lake: Lake, pipelines_dir: Path) -> int:
    """Write every record of `source` to the lake; returns the number of table files written."""
    # The lake only ever appends files; merging by key happens in the warehouse.
    for resource in source.resources.values():
        resource.apply_hints(write_disposition="append")
    info = lake_pipeline(lake, pipelines_dir).run(source, loader_file_format="jsonl")
    return sum(
        1
        for package in info.load_packages
        for job in package.jobs.get("completed_jobs", [])
        if not job.job_file_info.table_name.startswith("_dlt")
    )
