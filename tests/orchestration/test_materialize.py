"""The whole graph materializes in process on the local API replica, dbt tests included."""

import pytest
from dagster import AssetKey, DagsterEventType, ExecuteInProcessResult

from orchestration import steps
from orchestration.config import Settings

pytestmark = [
    pytest.mark.slow,
    # dagster-dbt 0.29 calls its own deprecated context.op; nothing to do on our side.
    pytest.mark.filterwarnings("ignore:AssetExecutionContext.op is deprecated:DeprecationWarning"),
]


def test_every_asset_materializes_and_every_check_passes(
    materialized: ExecuteInProcessResult,
) -> None:
    assert materialized.success
    keys = {event.asset_key for event in materialized.get_asset_materialization_events()}
    assert AssetKey(["lake", "spotify"]) in keys
    assert AssetKey(["raw_spotify", "playlist_entries"]) in keys
    assert AssetKey(["marts", "songs"]) in keys
    checks = [
        event.event_specific_data
        for event in materialized.all_events
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    assert len(checks) > 50
    assert [check.asset_check_key for check in checks if not check.passed] == []


def test_marts_have_rows(materialized: ExecuteInProcessResult, settings: Settings) -> None:
    rows = steps.mart_rows(settings)
    assert all(count > 0 for count in rows.values()), rows


def test_materializations_carry_what_the_steps_report(
    materialized: ExecuteInProcessResult,
) -> None:
    lake = materialized.asset_materializations_for_node("extract")[0]
    assert lake.metadata["playlists"].value > 0
    assert lake.metadata["lake_files"].value > 0
    raw = {
        event.asset_key: event.metadata["dagster/row_count"].value
        for event in materialized.asset_materializations_for_node("load")
    }
    assert raw[AssetKey(["raw_spotify", "playlist_entries"])] > 0
