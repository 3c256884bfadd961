"""The asset graph: Spotify API → lake → raw_spotify tables → dbt models → marts.

    spotify_api ─► lake/spotify ─► raw_spotify/<table> ─► staging/… ─► intermediate/… ─► marts/…
    (external)     op `extract`    op `load` (4 keys)     op `transform` (@dbt_assets, + checks)

`extract` and `load` call `orchestration.steps`, the same functions as
`spotify-elt run`; `transform` runs `dbt build` through dagster-dbt so that every
model is its own asset and every dbt test an asset check. The dbt sources map to
the keys `load` materializes, which makes the graph one line of lineage.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Backoff,
    Config,
    Failure,
    Jitter,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    multi_asset,
)
from dagster_dbt import DagsterDbtTranslator, dbt_assets

from ingestion.errors import ConfigurationError, ExtractionIncompleteError, SpotifyEltError
from ingestion.lake.layout import LAKE_DATASET
from ingestion.raw_tables import RAW_DATASET, RAW_TABLES
from orchestration import steps
from orchestration.access import spotify_access
from orchestration.config import Settings
from orchestration.defs.resources import SpotifyDbtCliResource, SpotifyEltResource, dbt_project

SPOTIFY_API = AssetKey("spotify_api")
LAKE = AssetKey(["lake", LAKE_DATASET])
RAW = {table: AssetKey([RAW_DATASET, table]) for table in RAW_TABLES}

# DuckDB takes one writer at a time: `load` and `transform` of different runs queue
# in this pool (limit 1, set in the instance's dagster.yaml by orchestration/dev.py).
WAREHOUSE_POOL = "warehouse"

# Spotify's rate limits and outages last minutes: 1, 2, then 4 minutes (± jitter).
# The client already retries single requests; this retries the whole extraction.
EXTRACT_RETRY_POLICY = RetryPolicy(
    max_retries=3, delay=60, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
)

spotify_api = AssetSpec(
    SPOTIFY_API,
    description="The Spotify Web API (in demo mode, its local replica). Not materialized here.",
    group_name="ingestion",
    kinds={"api"},
)


def _extract_metadata(result: steps.ExtractResult | None) -> dict[str, Any]:
    if result is None:
        return {}
    report = result.report
    return {
        "playlists": report.playlists_read,
        "entries": report.entries_read,
        "api_requests": report.stats.requests,
        "api_retries": report.stats.retries,
        "lake_files": result.lake_files,
        "lake_url": MetadataValue.path(result.lake_url),
    }


def build_extract_asset(retry_policy: RetryPolicy = EXTRACT_RETRY_POLICY) -> AssetsDefinition:
    """API → lake, with retries; the retry policy is a parameter so tests need not wait."""

    @multi_asset(
        name="extract",
        specs=[
            AssetSpec(
                LAKE,
                deps=[SPOTIFY_API],
                description=(
                    "The raw lake: API records as JSON lines under "
                    "spotify/<table>/date=YYYY-MM-DD/ (dlt pipeline `spotify_lake`)."
                ),
                group_name="ingestion",
                kinds={"dlt", "json"},
            )
        ],
        retry_policy=retry_policy,
    )
    def extract(context: AssetExecutionContext, spotify: SpotifyEltResource) -> MaterializeResult:
        try:
            with spotify_access(force_demo=spotify.demo, playlists=spotify.playlists) as access:
                context.log.info("extracting from the %s", access.description)
                result = steps.extract(
                    spotify.settings, access.source_args, observed_at=access.observed_at
                )
        except ConfigurationError as error:
            # Retrying cannot fix a missing secret or a bad playlist reference.
            raise Failure(description=str(error), allow_retries=False) from error
        except ExtractionIncompleteError as error:
            # The good playlists landed (and the lake sensor will load them); retry the rest.
            raise Failure(
                description=str(error), metadata=_extract_metadata(error.result)
            ) from error
        except SpotifyEltError as error:
            raise Failure(description=str(error)) from error
        return MaterializeResult(metadata=_extract_metadata(result))

    return extract


class LoadConfig(Config):
    """Options of `load`, as `spotify-elt load` has them."""

    rebuild: bool = False


@multi_asset(
    name="load",
    specs=[
        AssetSpec(
            key,
            deps=[LAKE],
            description=f"Raw table {RAW_DATASET}.{table}, loaded from the lake by dlt "
            f"(pipeline `spotify`); the dbt source spotify.{table}.",
            group_name="raw",
            kinds={"dlt", "duckdb"},
        )
        for table, key in RAW.items()
    ],
    pool=WAREHOUSE_POOL,
)
def load(
    context: AssetExecutionContext, config: LoadConfig, spotify: SpotifyEltResource
) -> Iterator[MaterializeResult]:
    """Lake → raw_spotify: files not loaded before (all of them with `rebuild`)."""
    result = steps.load(spotify.settings, rebuild=config.rebuild)
    for table, key in RAW.items():
        yield MaterializeResult(
            asset_key=key, metadata={"dagster/row_count": result.rows.get(table, 0)}
        )


class SpotifyDbtTranslator(DagsterDbtTranslator):
    """dbt sources take the keys of the raw tables `load` materializes; models are
    keyed and grouped by their schema (staging, intermediate, marts)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey(
                [
                    dbt_resource_props["schema"],
                    dbt_resource_props.get("identifier") or dbt_resource_props["name"],
                ]
            )
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("config", {}).get("schema") or "dbt"


def build_dbt_assets(settings: Settings) -> AssetsDefinition:
    """Every dbt model as an asset and every dbt test as a check (`dbt parse` if needed)."""
    project = dbt_project(settings)

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=SpotifyDbtTranslator(),
        name="transform",
        pool=WAREHOUSE_POOL,
    )
    def transform(
        context: AssetExecutionContext, dbt: SpotifyDbtCliResource, spotify: SpotifyEltResource
    ) -> Iterator[Any]:
        # dbt's run artifacts where the CLI's go (data/dbt/target), not in the repository.
        yield from dbt.cli(
            ["build", *steps.WITHOUT_UNIT_TESTS],
            context=context,
            target_path=spotify.settings.dbt_target_dir,
        ).stream()

    return transform
