"""The asset check observed_at_freshness: it runs in the jobs that load and transform,
passes after a fresh extraction, and a source past its error threshold fails the run,
which the run-failure sensor posts to the webhook like any failed run."""

from datetime import UTC, datetime, timedelta

import pytest
from dagster import (
    AssetCheckKey,
    AssetChecksDefinition,
    AssetSelection,
    DagsterInstance,
    Definitions,
    ExecuteInProcessResult,
    materialize,
)

from orchestration.config import Settings
from orchestration.defs import alerts
from orchestration.defs.assets import RAW
from orchestration.defs.checks import FRESHNESS_CHECK
from orchestration.defs.resources import SpotifyEltResource
from orchestration.freshness import REFERENCE_ENV
from tests.orchestration.conftest import Webhook, alert_on_failure_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:AssetExecutionContext.op is deprecated:DeprecationWarning"),
]

CHECKED = {
    AssetCheckKey(RAW[table], FRESHNESS_CHECK) for table in ("playlists", "playlist_entries")
}


def _freshness_check(defs: Definitions) -> AssetChecksDefinition:
    return next(
        definition
        for definition in defs.assets or []
        if isinstance(definition, AssetChecksDefinition) and definition.check_keys == CHECKED
    )


def test_the_check_runs_in_the_jobs_that_load(defs: Definitions) -> None:
    def ops(job: str) -> set[str]:
        return {node.name for node in defs.resolve_job_def(job).graph.nodes}

    assert FRESHNESS_CHECK in ops("load_and_transform_job")
    assert FRESHNESS_CHECK in ops("elt_job")
    assert FRESHNESS_CHECK not in ops("extract_job")


def test_a_fresh_extraction_passes(materialized: ExecuteInProcessResult) -> None:
    evaluations = {
        evaluation.asset_check_key: evaluation
        for evaluation in materialized.get_asset_check_evaluations()
        if evaluation.asset_check_key in CHECKED
    }
    assert set(evaluations) == CHECKED
    assert all(evaluation.passed for evaluation in evaluations.values())
    playlists = evaluations[AssetCheckKey(RAW["playlists"], FRESHNESS_CHECK)]
    assert playlists.metadata["status"].value == "pass"
    assert playlists.metadata["age_hours"].value < 1


def test_a_stale_source_fails_the_run_and_alerts(
    materialized: ExecuteInProcessResult,
    defs: Definitions,
    settings: Settings,
    webhook: Webhook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Judged five days after the extraction: playlists past 3 days (error), entries
    # within 8 days (ok).
    monkeypatch.setenv(REFERENCE_ENV, (datetime.now(UTC) + timedelta(days=5)).isoformat())
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [_freshness_check(defs)],
        selection=AssetSelection.all_asset_checks(),  # the check alone, on the built warehouse
        resources={"spotify": SpotifyEltResource.from_settings(settings, demo=True)},
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    evaluations = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["playlists"].passed
    assert evaluations["playlists"].severity.value == "ERROR"
    assert evaluations["playlist_entries"].passed

    monkeypatch.setenv(alerts.WEBHOOK_ENV, webhook.url)
    alert_on_failure_of(result, instance)
    [body] = webhook.bodies
    assert f"step {FRESHNESS_CHECK}" in body["text"]
    assert "raw_spotify.playlists was last observed 5.0 days ago" in body["text"]
    assert "past its error threshold of 3 days" in body["text"]
