"""A day as the daemon runs it: the schedule starts the extraction, its new lake files
trip the sensor, and the sensor's run loads them and builds the marts."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dagster import (
    DagsterInstance,
    Definitions,
    SensorResult,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
)

from ingestion.spotify_replica import DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from orchestration import steps
from orchestration.config import Settings
from orchestration.defs import sensors
from orchestration.defs.resources import SpotifyEltResource
from tests.orchestration.conftest import FAST_RETRY

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:AssetExecutionContext.op is deprecated:DeprecationWarning"),
]


@pytest.fixture
def day(settings: Settings, defs: Definitions, tmp_path: Path) -> tuple[Settings, Definitions]:
    """Definitions on an empty data dir of their own (with the package's parsed manifest)."""
    from orchestration.defs.definitions import build_defs

    fresh = Settings.resolve(tmp_path / "data")
    shutil.copytree(settings.data_dir / "dbt" / "manifest", fresh.data_dir / "dbt" / "manifest")
    return fresh, build_defs(fresh, demo=True, extract_retry_policy=FAST_RETRY)


def _sensor_tick(settings: Settings, cursor: str | None) -> SensorResult | SkipReason:
    context = build_sensor_context(
        cursor=cursor,
        resources={"spotify": SpotifyEltResource.from_settings(settings, demo=True)},
    )
    return sensors.new_lake_files(context)


def test_scheduled_extraction_then_sensor_triggered_build(
    day: tuple[Settings, Definitions], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings, defs = day
    monkeypatch.setattr(sensors, "SETTLE_SECONDS", 0.0)
    # An instance on disk, as the daemon's: its run and event storage is searched below.
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    instance = DagsterInstance.local_temp(tempdir=str(dagster_home))
    assert isinstance(_sensor_tick(settings, None), SkipReason)  # nothing in the lake yet

    schedule = defs.resolve_schedule_def("daily_extract")
    tick = schedule.evaluate_tick(
        build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2026, 11, 21, 6, tzinfo=UTC)
        )
    )
    [scheduled] = tick.run_requests
    extract_job = defs.resolve_job_def(schedule.job_name)
    assert extract_job.execute_in_process(instance=instance, tags=scheduled.tags).success

    fired = _sensor_tick(settings, None)
    assert isinstance(fired, SensorResult), fired
    [request] = fired.run_requests
    assert int(request.tags["spotify_elt/new_files"]) > 0
    build = defs.resolve_job_def("load_and_transform_job").execute_in_process(
        instance=instance, tags=request.tags
    )
    assert build.success
    rows = steps.mart_rows(settings)
    assert rows["songs"] > 0 and rows["playlist_entries"] > 0, rows

    # The files it loaded do not start another run.
    assert isinstance(_sensor_tick(settings, fired.cursor), SkipReason)

    # No secret in Dagster's storage (runs, event logs, compute logs) or the data dir.
    assert (dagster_home / "history" / "runs.db").exists()  # the storage is really there
    secrets = {"client secret": DEMO_CLIENT_SECRET, "refresh token": DEMO_REFRESH_TOKEN}
    leaks = [
        f"{name} in {path}"
        for folder in (dagster_home, settings.data_dir)
        for path in folder.rglob("*")
        if path.is_file()
        for name, secret in secrets.items()
        if secret.encode() in path.read_bytes()
    ]
    assert not leaks, leaks
