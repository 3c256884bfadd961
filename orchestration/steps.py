"""The pipeline's steps. The CLI and the orchestrator call these same functions.

extract:   Spotify API → lake          (dlt pipeline `spotify_lake`)
load:      lake → raw_spotify tables   (dlt pipeline `spotify`)
transform: raw_spotify → marts         (dbt build, then dbt docs generate)
"""

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dlt
from dbt.cli.main import dbtRunner
from dlt.common.configuration.exceptions import ConfigFieldMissingException

from ingestion.errors import (
    ConfigurationError,
    ExtractionIncompleteError,
    SpotifyEltError,
    TransformError,
)
from ingestion.lake import Lake
from ingestion.pipelines import lake_pipeline, load_lake, warehouse_pipeline
from ingestion.snowflake import DUCKDB_TARGETS, require_credentials, warehouse_destination_for
from ingestion.spotify import ExtractReport, spotify_source
from orchestration.config import Settings
from serving.duckdb_file import publish_serving_file
from serving.locks import wait_for_warehouse

logger = logging.getLogger(__name__)

MARTS = (
    "albums",
    "artists",
    "songs",
    "song_artists",
    "album_artists",
    "playlists",
    "playlist_entries",
)


@dataclass
class ExtractResult:
    report: ExtractReport
    lake_url: str
    lake_files: int


@dataclass
class LoadResult:
    rows: dict[str, int]


@dataclass
class TransformResult:
    models: int = 0
    tests_passed: int = 0
    tests_failed: int = 0
    failures: list[str] = field(default_factory=list)
    docs_path: str | None = None
    serving_path: str | None = None


def extract(
    settings: Settings,
    source_args: dict[str, Any] | None = None,
    observed_at: datetime | None = None,
) -> ExtractResult:
    """Read the configured playlists from the API and land them in the lake.

    Playlists that fail are reported at the end; the others land first, so a
    rerun only has to fetch what is missing (merge keys make it idempotent).
    """
    report = ExtractReport()
    try:
        source = spotify_source(
            observed_at=observed_at or datetime.now(UTC), report=report, **(source_args or {})
        )
    except ConfigFieldMissingException as error:
        missing = ", ".join(f"sources.spotify.{field}" for field in error.fields)
        raise ConfigurationError(
            f"Missing configuration: {missing}. Set it in .dlt/config.toml (playlists) or "
            ".dlt/secrets.toml (client_id, client_secret), or as environment variables "
            "such as SOURCES__SPOTIFY__CLIENT_ID; see README, 'Using the real Spotify API'."
        ) from None
    # The lake only ever appends files; merging by key happens in the warehouse.
    for resource in source.resources.values():
        resource.apply_hints(write_disposition="append")
    pipeline = lake_pipeline(Lake(settings.lake_url), settings.pipelines_dir)
    info = pipeline.run(source, loader_file_format="jsonl")
    files = sum(
        1
        for package in info.load_packages
        for job in package.jobs.get("completed_jobs", [])
        if not job.job_file_info.table_name.startswith("_dlt")
    )
    logger.info(
        "extract: %d playlists, %d entries, %d API requests → %d lake files in %s",
        report.playlists_read,
        report.entries_read,
        report.stats.requests,
        files,
        settings.lake_url,
    )
    result = ExtractResult(report=report, lake_url=settings.lake_url, lake_files=files)
    if report.failures:
        error = ExtractionIncompleteError(report.failures)
        error.result = result  # the summary still shows what landed
        raise error
    return result


def warehouse_destination(settings: Settings) -> Any:
    """The dlt destination of the warehouse for this target: DuckDB or Snowflake."""
    destination = warehouse_destination_for(settings.target, settings.duckdb_path)
    require_credentials(destination)
    return destination


def load(settings: Settings, rebuild: bool = False) -> LoadResult:
    """Load new lake files into raw_spotify; with rebuild, reload the whole lake."""
    _wait_for_readers(settings)
    pipeline = warehouse_pipeline(warehouse_destination(settings), settings.pipelines_dir)
    rebuild = rebuild or not _raw_tables_exist(pipeline)
    load_lake(pipeline, Lake(settings.lake_url), rebuild=rebuild)
    rows = _count_rows(
        pipeline, "raw_spotify", ("playlists", "playlist_entries", "artists", "albums")
    )
    logger.info("load: raw_spotify rows %s%s", rows, " (rebuilt from the lake)" if rebuild else "")
    return LoadResult(rows=rows)


def _raw_tables_exist(pipeline: dlt.Pipeline) -> bool:
    # A deleted or new warehouse must be filled from the whole lake, whatever the
    # local dlt state remembers about files loaded before.
    try:
        with pipeline.sql_client() as client:
            return client.has_dataset() and bool(
                client.execute_sql(
                    "select count(*) from information_schema.tables "
                    "where lower(table_schema) = 'raw_spotify' and lower(table_name) = 'playlists'"
                )[0][0]
            )
    except Exception:  # noqa: BLE001 – no database yet
        return False


def _count_rows(pipeline: dlt.Pipeline, schema: str, tables: tuple[str, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with pipeline.sql_client() as client:
        for table in tables:
            try:
                counts[table] = client.execute_sql(f"select count(*) from {schema}.{table}")[0][0]
            except Exception:  # noqa: BLE001 – a mart that failed to build
                counts[table] = -1
    return counts


@contextmanager
def temporary_environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block (dbt reads them)."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# dbt commands that write no artifacts and reject --target-path.
DBT_COMMANDS_WITHOUT_ARTIFACTS = ("debug", "deps", "clean", "init")


def dbt(settings: Settings, *args: str) -> Any:
    """Invoke dbt in-process on the project, with this run's target and paths."""
    arguments = [
        *args,
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
        "--target",
        settings.target,
        "--log-path",
        str(settings.dbt_log_dir),
    ]
    if not args or args[0] not in DBT_COMMANDS_WITHOUT_ARTIFACTS:
        arguments += ["--target-path", str(settings.dbt_target_dir)]
    with temporary_environment(settings.dbt_env()):
        return dbtRunner().invoke(arguments)


def transform(settings: Settings, docs: bool = True) -> TransformResult:
    """dbt build (models, snapshots, data and unit tests), then the docs site."""
    result = TransformResult()
    _wait_for_readers(settings)
    invocation = dbt(settings, "build")
    if invocation.exception is not None:
        raise TransformError(f"dbt build could not run: {invocation.exception}")
    for node_result in getattr(invocation.result, "results", []) or []:
        node = node_result.node
        status = str(node_result.status)
        if node.resource_type in ("test", "unit_test"):
            if status == "pass":
                result.tests_passed += 1
            else:
                result.tests_failed += 1
                result.failures.append(f"{node.resource_type} {node.name}: {status}")
        elif node.resource_type in ("model", "snapshot", "seed"):
            result.models += 1
            if status not in ("success", "pass"):
                result.failures.append(f"{node.resource_type} {node.name}: {status}")
    if invocation.success and not result.failures:  # readers get only green builds
        published = publish_serving_file(settings)
        result.serving_path = str(published.path) if published else None
    if docs and invocation.success:
        docs_invocation = dbt(settings, "docs", "generate", "--static")
        if not docs_invocation.success:
            raise TransformError("dbt docs generate failed; see the dbt log above.")
        result.docs_path = str(settings.docs_path)
    logger.info(
        "transform: %d models, %d tests passed, %d failed",
        result.models,
        result.tests_passed,
        result.tests_failed,
    )
    if not invocation.success or result.failures:
        error = TransformError(
            "dbt build failed:\n"
            + "\n".join(f"  - {failure}" for failure in result.failures or ["see dbt's log"])
        )
        error.result = result
        raise error
    return result


def _wait_for_readers(settings: Settings) -> None:
    """A DuckDB warehouse held open elsewhere: wait a bounded time, then one clear line."""
    if settings.target in DUCKDB_TARGETS:
        wait_for_warehouse(settings.duckdb_path)


def mart_rows(settings: Settings) -> dict[str, int]:
    pipeline = warehouse_pipeline(warehouse_destination(settings), settings.pipelines_dir)
    return _count_rows(pipeline, "marts", MARTS)


__all__ = [
    "ExtractResult",
    "LoadResult",
    "SpotifyEltError",
    "TransformResult",
    "extract",
    "load",
    "mart_rows",
    "transform",
]
