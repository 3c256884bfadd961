"""The Dagster code location: `dagster dev -m orchestration.dagster.definitions`.

Settings come from the SPOTIFY_ELT_* environment, as for the CLI (./data by
default); SPOTIFY_ELT_DEMO=1 uses the local API replica even with credentials.
Loading runs `dbt parse` when the manifest is missing (and always under
`dagster dev`, to pick up model changes).
"""

import os

from dagster import Definitions, RetryPolicy

from orchestration.config import Settings
from orchestration.dagster.alerts import alert_on_run_failure
from orchestration.dagster.assets import (
    EXTRACT_RETRY_POLICY,
    build_dbt_assets,
    build_extract_asset,
    load,
    spotify_api,
)
from orchestration.dagster.jobs import JOBS
from orchestration.dagster.resources import SpotifyDbtCliResource, SpotifyEltResource
from orchestration.dagster.schedules import daily_extract_schedule
from orchestration.dagster.sensors import new_lake_files
from orchestration.dagster.serving import build_serving_assets


def build_defs(
    settings: Settings | None = None,
    demo: bool | None = None,
    extract_retry_policy: RetryPolicy = EXTRACT_RETRY_POLICY,
) -> Definitions:
    """All definitions for one `Settings` (resolved from the environment by default)."""
    settings = settings or Settings.resolve()
    if demo is None:
        demo = os.environ.get("SPOTIFY_ELT_DEMO", "").lower() in ("1", "true", "yes")
    transform = build_dbt_assets(settings)
    return Definitions(
        assets=[
            spotify_api,
            build_extract_asset(extract_retry_policy),
            load,
            transform,
            *build_serving_assets(transform),
        ],
        jobs=JOBS,
        schedules=[daily_extract_schedule],
        sensors=[new_lake_files, alert_on_run_failure],
        resources={
            "spotify": SpotifyEltResource.from_settings(settings, demo=demo),
            "dbt": SpotifyDbtCliResource.from_settings(settings),
        },
    )


defs = build_defs()
