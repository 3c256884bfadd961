"""Downstream of the marts, Dagster publishes the serving file and the Tableau extract."""

import pytest
from dagster import AssetKey, Definitions, ExecuteInProcessResult

from orchestration.config import Settings
from orchestration.defs.serving import SERVING, TABLEAU

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:AssetExecutionContext.op is deprecated:DeprecationWarning"),
]


def test_serving_assets_follow_every_mart(defs: Definitions) -> None:
    graph = defs.resolve_asset_graph()
    marts = {key for key in graph.get_all_asset_keys() if key.path[0] == "marts"}
    assert marts and graph.get(SERVING).parent_keys == marts
    assert graph.get(TABLEAU).parent_keys == {SERVING}
    job = defs.resolve_job_def("load_and_transform_job")  # what the lake sensor starts
    assert {SERVING, TABLEAU} <= set(job.asset_layer.executable_asset_keys)


def test_serving_file_and_extract_are_materialized(
    materialized: ExecuteInProcessResult, settings: Settings
) -> None:
    events = {
        event.asset_key: event.step_materialization_data.materialization.metadata
        for event in materialized.get_asset_materialization_events()
    }
    assert events[SERVING]["dagster/row_count"].value > 0
    assert events[TABLEAU]["marts"].value == events[SERVING]["marts"].value
    assert (settings.data_dir / "serving.duckdb").exists()
    assert (settings.data_dir / "tableau" / "spotify_marts.hyper").exists()
    assert AssetKey(["marts", "songs"]) in events
