"""The Dagster code location: plain `dagster dev` in the project root loads it
([tool.dagster] in pyproject.toml), as does `make dev`.

Settings come from the SPOTIFY_ELT_* environment, as for the CLI (<home>/data by
default); SPOTIFY_ELT_DEMO=1 uses the local API replica even with credentials.
Loading runs `dbt parse` when the manifest is missing (and always under
`dagster dev`, to pick up model changes).
"""

from dagster import Definitions, RetryPolicy

from orchestration.access import demo_requested
from orchestration.config import Settings, use_project_configuration
from orchestration.defs.alerts import alert_on_run_failure
from orchestration.defs.assets import (
    EXTRACT_RETRY_POLICY,
    build_dbt_assets,
    build_extract_asset,
    load,
    spotify_api,
)
from orchestration.defs.checks import build_freshness_check
from orchestration.defs.jobs import JOBS
from orchestration.defs.resources import SpotifyDbtCliResource, SpotifyEltResource
from orchestration.defs.schedules import daily_extract_schedule
from orchestration.defs.sensors import new_lake_files
from orchestration.defs.serving import build_serving_assets


def build_defs(
    settings: Settings | None = None,
    demo: bool | None = None,
    extract_retry_policy: RetryPolicy = EXTRACT_RETRY_POLICY,
) -> Definitions:
    """All definitions for one `Settings` (resolved from the environment by default)."""
    settings = settings or Settings.resolve()
    if demo is None:
        demo = demo_requested()
    transform = build_dbt_assets(settings)
    return Definitions(
        assets=[
            spotify_api,
            build_extract_asset(extract_retry_policy),
            load,
            transform,
            *build_serving_assets(transform),
            build_freshness_check(settings, transform),
        ],
        jobs=JOBS,
        schedules=[daily_extract_schedule],
        sensors=[new_lake_files, alert_on_run_failure],
        resources={
            "spotify": SpotifyEltResource.from_settings(settings, demo=demo),
            "dbt": SpotifyDbtCliResource.from_settings(settings),
        },
    )


# dlt reads <home>/.dlt whichever directory the Dagster processes start in.
use_project_configuration()
defs = build_defs()
