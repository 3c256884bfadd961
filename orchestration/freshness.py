"""Is the history fresh and complete? dbt's `source freshness` on the observation time,
and the playlists the model int_playlist_coverage_flags flags.

`spotify-elt run` and `spotify-elt freshness` call these after the load, and so does
Dagster's check `observed_at_freshness`. The thresholds are dbt's (the sources' YAML);
ages are measured against `reference_at()`, so a demo history built for simulated
days (SPOTIFY_ELT_DEMO_DAY) is judged on its own date, not on today's.
"""

import contextlib
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ingestion.errors import ConfigurationError
from ingestion.raw_tables import RAW_DATASET
from ingestion.warehouse import load as warehouse_load
from ingestion.warehouse.destinations import DUCKDB_TARGETS
from orchestration import steps
from orchestration.access import configured_demo_day, simulated_moment
from orchestration.config import Settings

logger = logging.getLogger(__name__)

# The "now" freshness is measured against (ISO 8601); read by dbt's macro
# freshness_reference_at (dbt_project/macros/freshness.sql).
REFERENCE_ENV = "SPOTIFY_ELT_FRESHNESS_REFERENCE_AT"
# Where int_playlist_coverage_flags builds (models/intermediate: +schema in dbt_project.yml).
COVERAGE_RELATION = "intermediate.int_playlist_coverage_flags"
COVERAGE_FLAGS = {
    "not_observed_on_last_run_day": "not observed on the last run day",
    "entries_dropped_sharply": "entries dropped below half",
}


def reference_at() -> datetime | None:
    """SPOTIFY_ELT_FRESHNESS_REFERENCE_AT, else the simulated moment of SPOTIFY_ELT_DEMO_DAY,
    else None (the warehouse's current time)."""
    if value := os.environ.get(REFERENCE_ENV):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ConfigurationError(
                f"{REFERENCE_ENV} must be an ISO 8601 time such as 2026-01-31T06:00:00Z, "
                f"not {value!r}."
            ) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    day = configured_demo_day()
    return simulated_moment(day) if day is not None else None


def age_text(seconds: float) -> str:
    """An age as people say it: 5 min, 7 hours, 4.2 days."""
    if seconds < 2 * 3600:
        return f"{max(seconds, 0) / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 86400:.1f} days"


def _threshold_text(threshold: Any) -> str | None:
    if not threshold:
        return None
    period = str(getattr(threshold.period, "value", threshold.period))  # "hour", "day"
    return f"{threshold.count} {period}{'s' if threshold.count != 1 else ''}"


@dataclass(frozen=True)
class SourceFreshness:
    """One source table's freshness: dbt's status (pass, warn, error, runtime error)."""

    table: str
    status: str
    age_seconds: float | None = None
    max_observed_at: datetime | None = None
    warn_after: str | None = None
    error_after: str | None = None
    message: str | None = None

    @property
    def relation(self) -> str:
        return f"{RAW_DATASET}.{self.table}"

    @property
    def is_error(self) -> bool:
        return self.status == "error"

    @property
    def is_stale(self) -> bool:
        return self.status in ("warn", "error")

    def short(self) -> str:
        """`playlists ok (observed 5 min ago)`, `… ERROR (observed 4.2 days ago, over 3 days)`."""
        if self.age_seconds is None:
            return f"{self.table} not measured ({self.message or self.status})"
        status = {"pass": "ok", "error": "ERROR"}.get(self.status, self.status)
        limit = self.error_after if self.is_error else self.warn_after
        over = f", over {limit}" if self.is_stale and limit else ""
        return f"{self.table} {status} (observed {age_text(self.age_seconds)} ago{over})"

    def error_sentence(self) -> str:
        """What happened and what to do, in one sentence."""
        when = f" ({self.max_observed_at:%Y-%m-%d %H:%M} UTC)" if self.max_observed_at else ""
        return (
            f"{self.relation} was last observed {age_text(self.age_seconds or 0)} ago{when}, "
            f"past its error threshold of {self.error_after}: check that the daily extraction "
            "runs and reaches Spotify (`spotify-elt doctor`), then run `spotify-elt run`."
        )


@dataclass
class FreshnessReport:
    sources: list[SourceFreshness] = field(default_factory=list)
    reference_at: datetime | None = None
    problem: str | None = None  # dbt could not measure at all

    @property
    def errors(self) -> list[SourceFreshness]:
        return [source for source in self.sources if source.is_error]

    def line(self) -> str:
        """The run summary's `freshness` line."""
        if self.problem:
            return f"not measured: {self.problem}"
        text = ", ".join(source.short() for source in self.sources) or "no source has a threshold"
        if self.reference_at is not None:
            text += f"; judged at {self.reference_at:%Y-%m-%d %H:%M} UTC"
        return text


def _first_line(message: str | None) -> str | None:
    """dbt's runtime errors start with a heading line; the cause is the first line after it."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("Runtime Error"):
        return lines[1]
    return lines[0] if lines else None


def _release_dbt_duckdb(settings: Settings) -> None:
    """dbt-duckdb keeps its database open in this process: close it, so the warehouse
    file is free for the next step and for other programs."""
    if settings.target not in DUCKDB_TARGETS:
        return
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with contextlib.suppress(Exception):  # no environment yet: nothing is open
        DuckDBConnectionManager.env().close()


def check_freshness(settings: Settings) -> FreshnessReport:
    """`dbt source freshness` on the raw tables' observation times."""
    reference = reference_at()
    environment = {REFERENCE_ENV: reference.isoformat()} if reference else {}
    try:
        with steps.temporary_environment(environment):
            # our own lines say it (dbt's file log keeps its account)
            invocation = steps.dbt(settings, "source", "freshness", "--log-level", "none")
    finally:
        _release_dbt_duckdb(settings)
    report = FreshnessReport(reference_at=reference)
    results = getattr(invocation.result, "results", None)
    if invocation.exception is not None or results is None:
        report.problem = f"dbt source freshness could not run ({invocation.exception})"
        logger.warning("freshness: %s", report.problem)
        return report
    for result in results:
        freshness = result.node.freshness
        age = getattr(result, "age", None)
        observed = getattr(result, "max_loaded_at", None)
        report.sources.append(
            SourceFreshness(
                table=result.node.name,
                status=str(result.status),
                age_seconds=age,
                max_observed_at=observed.astimezone(UTC) if observed else None,
                warn_after=_threshold_text(freshness.warn_after if freshness else None),
                error_after=_threshold_text(freshness.error_after if freshness else None),
                message=_first_line(result.message),
            )
        )
    report.sources.sort(key=lambda source: source.table)
    if report.sources and all(source.age_seconds is None for source in report.sources):
        report.problem = f"the raw tables cannot be read ({report.sources[0].message})"
    logger.info("freshness: %s", report.line())
    return report


@dataclass(frozen=True)
class CoverageFlag:
    playlist_id: str
    playlist_name: str | None
    flag: str
    entries_now: int | None
    entries_before: int | None
    last_observed_date: date | None

    def describe(self) -> str:
        name = (
            f"{self.playlist_name} ({self.playlist_id})" if self.playlist_name else self.playlist_id
        )
        if self.flag == "entries_dropped_sharply":
            return f"{name}: entries dropped from {self.entries_before} to {self.entries_now}"
        return (
            f"{name}: {COVERAGE_FLAGS.get(self.flag, self.flag)} (last {self.last_observed_date})"
        )


def coverage_flags(settings: Settings) -> list[CoverageFlag] | None:
    """The playlists int_playlist_coverage_flags flags; None when the model is not built."""
    pipeline = warehouse_load.warehouse_pipeline(
        steps.warehouse_destination(settings), settings.pipelines_dir
    )
    query = (
        "select playlist_id, playlist_name, flag, entries_now, entries_before, "
        f"last_observed_date from {COVERAGE_RELATION} order by playlist_name, playlist_id, flag"
    )
    try:
        with pipeline.sql_client() as client:
            rows = client.execute_sql(query)
    except Exception:  # noqa: BLE001 – a transform that failed before building the model
        logger.debug("coverage: %s is not readable", COVERAGE_RELATION, exc_info=True)
        return None
    return [CoverageFlag(*row) for row in rows or []]


def coverage_line(flags: list[CoverageFlag] | None) -> str:
    """The run summary's `coverage` line."""
    if flags is None:
        return f"not measured ({COVERAGE_RELATION} did not build)"
    if not flags:
        return "every playlist observed on the last run day, none dropped sharply"
    return f"{len(flags)} flagged: " + "; ".join(flag.describe() for flag in flags)
