"""Loading the lake into the warehouse: the dlt pipeline `spotify` and what it owns.

The load reads lake files not loaded before into the raw tables (ingestion/raw_tables.py)
of DuckDB or Snowflake; a new or deleted warehouse is filled from the whole lake; a
rebuild drops the raw tables and reloads everything. No API call happens here.
"""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt

from ingestion.errors import LoadIncompleteError
from ingestion.lake.layout import Lake
from ingestion.lake.records import table_files
from ingestion.raw_tables import RAW_DATASET, RAW_TABLES
from ingestion.warehouse.bulk_load import load_lake_bulk, loaded_lake_files

logger = logging.getLogger(__name__)

WAREHOUSE_PIPELINE = "spotify"


@dataclass
class LoadResult:
    rows: dict[str, int]
    rebuilt: bool = False


def warehouse_pipeline(destination: Any, pipelines_dir: Path) -> dlt.Pipeline:
    """Pipeline that loads the lake into `raw_spotify` in DuckDB or Snowflake."""
    return dlt.pipeline(
        pipeline_name=WAREHOUSE_PIPELINE,
        destination=destination,
        dataset_name=RAW_DATASET,
        pipelines_dir=str(pipelines_dir),
    )


def load_lake(pipeline: dlt.Pipeline, lake: Lake, rebuild: bool = False) -> Any:
    """Load lake files not loaded before; with rebuild, drop the raw tables and reload all."""
    return load_lake_bulk(pipeline, lake, rebuild=rebuild)


def load(destination: Any, lake: Lake, pipelines_dir: Path, rebuild: bool = False) -> LoadResult:
    """Load new lake files into the raw tables; a new warehouse gets the whole lake."""
    pipeline = warehouse_pipeline(destination, pipelines_dir)
    rebuild = rebuild or not raw_tables_exist(pipeline)
    try:
        load_lake(pipeline, lake, rebuild=rebuild)
    except LoadIncompleteError as error:
        # Everything but the files set aside loaded: say what the raw tables now hold.
        error.result = _result(pipeline, rebuild)
        raise
    return _result(pipeline, rebuild)


def _result(pipeline: dlt.Pipeline, rebuilt: bool) -> LoadResult:
    rows = count_rows(pipeline, RAW_DATASET, tuple(RAW_TABLES))
    logger.info("load: %s rows %s%s", RAW_DATASET, rows, " (rebuilt from the lake)" * rebuilt)
    return LoadResult(rows=rows, rebuilt=rebuilt)


def not_loaded(destination: Any, lake: Lake, pipelines_dir: Path, load_ids: list[str]) -> list[str]:
    """Table files of the extractions `load_ids` that the raw tables do not hold (lake paths).

    Lake file names start with the load id of the extraction that wrote them.
    """
    if not load_ids:
        return []
    loaded = loaded_lake_files(warehouse_pipeline(destination, pipelines_dir)) or {}
    prefixes = tuple(f"{load_id}." for load_id in load_ids)
    return [
        path
        for table in RAW_TABLES
        for path in table_files(lake, table)
        if path.rsplit("/", 1)[-1].startswith(prefixes) and path not in loaded.get(table, ())
    ]


def raw_tables_exist(pipeline: dlt.Pipeline) -> bool:
    """False for a new or deleted warehouse, whatever the local dlt state remembers."""
    first_table = next(iter(RAW_TABLES))
    try:
        with pipeline.sql_client() as client:
            return client.has_dataset() and bool(
                client.execute_sql(
                    "select count(*) from information_schema.tables "
                    f"where lower(table_schema) = '{RAW_DATASET}' "
                    f"and lower(table_name) = '{first_table}'"
                )[0][0]
            )
    except Exception:  # noqa: BLE001 – no database yet
        return False


def count_rows(pipeline: dlt.Pipeline, schema: str, tables: tuple[str, ...]) -> dict[str, int]:
    """Rows per table; -1 for a table that does not exist (e.g. a mart that failed to build)."""
    counts: dict[str, int] = {}
    with pipeline.sql_client() as client:
        for table in tables:
            try:
                counts[table] = client.execute_sql(f"select count(*) from {schema}.{table}")[0][0]
            except Exception:  # noqa: BLE001 – a table that failed to build
                counts[table] = -1
    return counts
