"""Asset check `observed_at_freshness` on the raw tables that have dbt freshness thresholds.

It runs `dbt source freshness` (orchestration/freshness.py, as `spotify-elt run` does)
once the marts are built, in every job that loads and transforms. A source past its
warn threshold shows as a failed check of severity WARN; past its error threshold,
the check's step fails too, so the run fails and `alert_on_run_failure` posts the
same alert as for any failed run, naming the source, its age and what to do.
"""

import json
from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetsDefinition,
    Failure,
    MetadataValue,
    multi_asset_check,
)

from ingestion.raw_tables import RAW_DATASET
from orchestration.config import Settings
from orchestration.defs.assets import RAW, WAREHOUSE_POOL
from orchestration.defs.resources import SpotifyEltResource, manifest_dir
from orchestration.defs.serving import mart_keys
from orchestration.freshness import check_freshness

FRESHNESS_CHECK = "observed_at_freshness"


def tables_with_freshness(settings: Settings) -> list[str]:
    """The raw tables whose dbt source declares a freshness threshold (the sources' YAML),
    from the manifest the definitions are built on."""
    manifest = json.loads((manifest_dir(settings) / "manifest.json").read_text())
    return sorted(
        source["name"]
        for source in manifest.get("sources", {}).values()
        if source.get("schema") == RAW_DATASET
        and source["name"] in RAW
        and any((source.get("freshness") or {}).get(key) for key in ("warn_after", "error_after"))
    )


def build_freshness_check(settings: Settings, transform: AssetsDefinition) -> AssetChecksDefinition:
    """The check, on the raw tables with thresholds, run after the marts of `transform`."""
    tables = tables_with_freshness(settings)

    @multi_asset_check(
        name=FRESHNESS_CHECK,
        specs=[
            AssetCheckSpec(
                FRESHNESS_CHECK,
                asset=RAW[table],
                # after the dbt build, like `spotify-elt run`'s summary
                additional_deps=mart_keys(transform),
                description=(
                    f"dbt source freshness of {RAW_DATASET}.{table} on `observed_at`, the "
                    "time the pipeline saw the data (not the load time)."
                ),
            )
            for table in tables
        ],
        pool=WAREHOUSE_POOL,
    )
    def observed_at_freshness(
        context: AssetCheckExecutionContext, spotify: SpotifyEltResource
    ) -> Iterator[AssetCheckResult]:
        report = check_freshness(spotify.settings)
        if report.problem:
            raise Failure(description=report.problem)
        measured = {source.table: source for source in report.sources}
        for table in tables:
            source = measured.get(table)
            if source is None:
                yield AssetCheckResult(
                    asset_key=RAW[table], passed=False, description="not measured by dbt"
                )
                continue
            metadata = {"status": source.status}
            if source.age_seconds is not None:
                metadata["age_hours"] = round(source.age_seconds / 3600, 2)
            if source.max_observed_at is not None:
                metadata["last_observed_at"] = MetadataValue.timestamp(source.max_observed_at)
            if report.reference_at is not None:
                metadata["judged_at"] = MetadataValue.timestamp(report.reference_at)
            yield AssetCheckResult(
                asset_key=RAW[table],
                passed=source.status == "pass",
                severity=AssetCheckSeverity.ERROR if source.is_error else AssetCheckSeverity.WARN,
                description=source.short(),
                metadata=metadata,
            )
        if report.errors:
            # A failed step fails the run: the run-failure sensor alerts as for any failure.
            raise Failure(description=" ".join(source.error_sentence() for source in report.errors))

    return observed_at_freshness
