"""The pipeline's steps. The CLI and the orchestrator call these same functions.

extract:   Spotify API → lake          (dlt pipeline `spotify_lake`)
load:      lake → raw_spotify tables   (dlt pipeline `spotify`)
transform: raw_spotify → marts         (dbt build, then dbt docs generate)
"""

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

import yaml

from ingestion.errors import (
    ConfigurationError,
    ExtractionIncompleteError,
    SpotifyEltError,
    TransformError,
)
from ingestion.lake import Lake
from ingestion.lake.quarantine import quarantine
from ingestion.lake.writer import finish_interrupted_write, land
from ingestion.raw_tables import RAW_DATASET
from ingestion.spotify import ExtractReport, configured_source
from ingestion.warehouse import load as warehouse_load
from ingestion.warehouse.destinations import (
    DUCKDB_TARGETS,
    require_credentials,
    warehouse_destination_for,
)
from ingestion.warehouse.load import LoadResult
from orchestration.config import Settings
from orchestration.lake_index import lake_index
from serving.duckdb_file import publish_serving_file
from serving.locks import wait_for_warehouse
from serving.marts import MARTS_SCHEMA, declared_marts

logger = logging.getLogger(__name__)


@dataclass
class ExtractResult:
    report: ExtractReport
    lake_url: str
    lake_files: int
    # dlt load ids of this run's lake writes (lake file names start with them).
    load_ids: list[str] = field(default_factory=list)
    # Lake writes an interrupted earlier run left, finished before this run's own.
    finished_earlier: list[str] = field(default_factory=list)


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
    lake, state_dir = Lake(settings.lake_url), settings.data_dir / "state"
    # First what an interrupted run left half-written, so the lake index reads it whole.
    finished = finish_interrupted_write(lake, settings.pipelines_dir)
    source = configured_source(
        observed_at=observed_at or datetime.now(UTC),
        report=report,
        known=partial(lake_index, lake, state_dir),  # what the lake holds is not asked again
        state_dir=state_dir,  # the rate-limit breaker's state
        set_aside=partial(quarantine, lake, "api"),  # answers that cannot be used
        **(source_args or {}),
    )
    write = land(source, lake, settings.pipelines_dir)
    files = write.files
    logger.info(
        "extract: %d playlists, %d entries, %d API requests → %d lake files in %s",
        report.playlists_read,
        report.entries_read,
        report.stats.requests,
        files,
        settings.lake_url,
    )
    result = ExtractResult(
        report=report,
        lake_url=settings.lake_url,
        lake_files=files,
        load_ids=write.load_ids,
        finished_earlier=finished + write.finished,
    )
    if report.failures:
        raise ExtractionIncompleteError(report.failures, result=result, heading=report.heading())
    return result


def dbt_targets(settings: Settings) -> tuple[str, ...]:
    """The targets (outputs) of the dbt profile this run uses."""
    try:
        profiles = yaml.safe_load((settings.profiles_dir / "profiles.yml").read_text())
        return tuple(profiles["spotify_elt"]["outputs"])
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return ()


def warehouse_destination(settings: Settings) -> Any:
    """The dlt destination of the warehouse for this target (checked: fails before any work)."""
    targets = dbt_targets(settings)
    if targets and settings.target not in targets:
        raise ConfigurationError(
            f"Unknown target {settings.target!r}: the dbt profile "
            f"({settings.profiles_dir / 'profiles.yml'}) has {', '.join(targets)}: use one of "
            "them with --target or SPOTIFY_ELT_TARGET (dev: DuckDB, prod: Snowflake)."
        )
    destination = warehouse_destination_for(settings.target, settings.duckdb_path)
    require_credentials(destination)
    return destination


def load(settings: Settings, rebuild: bool = False) -> LoadResult:
    """Load new lake files into raw_spotify; with rebuild, reload the whole lake."""
    _wait_for_readers(settings)
    return warehouse_load.load(
        warehouse_destination(settings),
        Lake(settings.lake_url),
        settings.pipelines_dir,
        rebuild=rebuild,
    )


def not_loaded(settings: Settings, extracted: ExtractResult | None) -> list[str]:
    """This run's lake files that are not in the raw tables (after `load`): what is missing."""
    if extracted is None or not extracted.load_ids:
        return []
    return warehouse_load.not_loaded(
        warehouse_destination(settings),
        Lake(settings.lake_url),
        settings.pipelines_dir,
        extracted.load_ids,
    )


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
DBT_COMMANDS_WITHOUT_VARS = ("clean", "init")


def dbt_vars() -> dict[str, str]:
    """dbt vars that come from the Python side's single declarations."""
    return {"spotify_raw_schema": RAW_DATASET}


def dbt(settings: Settings, *args: str) -> Any:
    """Invoke dbt in-process on the project, with this run's target and paths."""
    arguments = [
        *args,
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.profiles_dir),
        "--target",
        settings.target,
        "--log-path",
        str(settings.dbt_log_dir),
    ]
    if not args or args[0] not in DBT_COMMANDS_WITHOUT_ARTIFACTS:
        arguments += ["--target-path", str(settings.dbt_target_dir)]
    if args and args[0] not in DBT_COMMANDS_WITHOUT_VARS and "--vars" not in args:
        arguments += ["--vars", json.dumps(dbt_vars())]
    # dbt is imported here, not with the module: `load` and `extract` have no use for it,
    # and importing it costs seconds on every command.
    from dbt.cli.main import dbtRunner

    with temporary_environment(settings.dbt_env()):
        return dbtRunner().invoke(arguments)


# Unit tests check the SQL on fixed inputs, not the day's data: dbt recommends running
# them in development and CI, not on every production build
# (docs.getdbt.com/docs/build/unit-tests). The daily build leaves them out (a dozen nodes
# of fixtures, a third of a day's build time); `rebuild`, `transform --unit-tests`,
# `spotify-elt dbt build` and the test suite run them.
WITHOUT_UNIT_TESTS: Final = ("--exclude-resource-type", "unit_test")


def transform(
    settings: Settings, docs: bool = True, full_refresh: bool = False, unit_tests: bool = False
) -> TransformResult:
    """dbt build (models, snapshots and data tests; unit tests too when asked), then docs.

    full_refresh rebuilds the incremental models from every raw row (after a rebuild
    of the raw tables, or when a model changed shape in a new version of the project).
    """
    result = TransformResult()
    _wait_for_readers(settings)
    arguments = ["build", *(["--full-refresh"] if full_refresh else [])]
    if not unit_tests:
        arguments += WITHOUT_UNIT_TESTS
    invocation = dbt(settings, *arguments)
    if invocation.exception is not None:
        raise TransformError(f"dbt build could not run: {invocation.exception}")
    for node_result in getattr(invocation.result, "results", []) or []:
        node = node_result.node
        status = str(node_result.status)
        if node.resource_type in ("test", "unit_test"):
            if status in ("pass", "warn"):
                # a warning (e.g. the coverage check) is reported by dbt, not a failure
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
    changed = [
        node_result.node.name
        for node_result in getattr(invocation.result, "results", []) or []
        if "out of sync" in str(getattr(node_result, "message", "") or "")
    ]
    if changed:
        # on_schema_change: fail (dbt_project.yml) rather than old rows with new null columns.
        raise TransformError(
            f"The incremental model(s) {', '.join(changed)} changed columns since the last "
            "build (a newer version of the project): run `spotify-elt transform "
            "--full-refresh` once to rebuild them from the raw tables.",
            result=result,
        )
    if not invocation.success or result.failures:
        raise TransformError(
            "dbt build failed:\n"
            + "\n".join(f"  - {failure}" for failure in result.failures or ["see dbt's log"]),
            result=result,
        )
    return result


def mart_names(settings: Settings) -> tuple[str, ...]:
    """The marts, as dbt's manifest of the last build lists them; none before a build."""
    try:
        marts = declared_marts(settings) or []
    except (OSError, ValueError, KeyError):
        return ()
    return tuple(mart.name for mart in marts)


def _wait_for_readers(settings: Settings) -> None:
    """A DuckDB warehouse held open elsewhere: wait a bounded time, then one clear line."""
    if settings.target in DUCKDB_TARGETS:
        wait_for_warehouse(settings.duckdb_path)


def mart_rows(settings: Settings) -> dict[str, int]:
    """Rows per mart (-1 for a mart that did not build)."""
    pipeline = warehouse_load.warehouse_pipeline(
        warehouse_destination(settings), settings.pipelines_dir
    )
    return warehouse_load.count_rows(pipeline, MARTS_SCHEMA, mart_names(settings))


__all__ = [
    "ExtractResult",
    "LoadResult",
    "SpotifyEltError",
    "TransformResult",
    "extract",
    "load",
    "mart_names",
    "mart_rows",
    "not_loaded",
    "transform",
]
