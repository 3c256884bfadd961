"""Serving assets, downstream of the marts: the serving file and the Tableau extract.

    marts/* (dbt) ─► serving/duckdb (serving.duckdb) ─► tableau/extract (.hyper, .twbx, .tds)

The same functions as `spotify-elt transform` and `spotify-elt export tableau`
(serving/). The Tableau asset exists only when its optional group (`tableau`) is
installed, so that a run never fails for want of it.
"""

import importlib.util
from collections.abc import Sequence

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from ingestion.errors import SpotifyEltError
from orchestration.defs.assets import WAREHOUSE_POOL
from orchestration.defs.resources import SpotifyEltResource
from serving.duckdb_file import publish_serving_file

SERVING = AssetKey(["serving", "duckdb"])
TABLEAU = AssetKey(["tableau", "extract"])


def mart_keys(transform: AssetsDefinition) -> list[AssetKey]:
    """The dbt models of group `marts` (the translator groups models by schema)."""
    return sorted(
        (key for key in transform.keys if transform.group_names_by_key.get(key) == "marts"),
        key=lambda key: key.to_user_string(),
    )


def build_serving_assets(transform: AssetsDefinition) -> Sequence[AssetsDefinition]:
    @asset(
        key=SERVING,
        deps=mart_keys(transform),
        group_name="serving",
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        description=(
            "data/serving.duckdb: every mart, published after the dbt build and swapped in "
            "whole; what readers (notebooks, the DuckDB CLI, Tableau) open."
        ),
    )
    def serving_duckdb(context: AssetExecutionContext, spotify: SpotifyEltResource):
        try:
            result = publish_serving_file(spotify.settings)
        except SpotifyEltError as error:
            raise Failure(description=str(error)) from error
        if result is None:
            context.log.info("target %s is not DuckDB: nothing to publish", spotify.target)
            return MaterializeResult()
        return MaterializeResult(
            metadata={
                "path": MetadataValue.path(str(result.path)),
                "marts": len(result.rows),
                "dagster/row_count": sum(result.rows.values()),
            }
        )

    assets = [serving_duckdb]
    if importlib.util.find_spec("tableauhyperapi") is not None:

        @asset(
            key=TABLEAU,
            deps=[SERVING],
            group_name="serving",
            kinds={"tableau"},
            description=(
                "data/tableau/: every mart in one Hyper extract, the packaged workbook "
                "(.twbx) and live .tds data sources (`spotify-elt export tableau`)."
            ),
        )
        def tableau_extract(context: AssetExecutionContext, spotify: SpotifyEltResource):
            from serving.tableau.export import export_tableau

            try:
                result = export_tableau(spotify.settings)
            except SpotifyEltError as error:
                raise Failure(description=str(error)) from error
            metadata = {
                "extract": MetadataValue.path(str(result.hyper)),
                "marts": len(result.tables),
                "dagster/row_count": sum(table.rows for table in result.tables),
                "sheets": ", ".join(result.sheets),
            }
            if result.workbook is not None:
                metadata["workbook"] = MetadataValue.path(str(result.workbook))
            if result.skipped_sheets:
                metadata["skipped_sheets"] = ", ".join(result.skipped_sheets)
            return MaterializeResult(metadata=metadata)

        assets.append(tableau_extract)
    return assets
