"""The schedule: a daily extraction, as the tutorial's EventBridge rule does."""

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.defs.jobs import extract_job

# Once a day, early UTC: Spotify's editorial playlists change overnight.
EXTRACT_CRON = "0 6 * * *"

daily_extract_schedule = ScheduleDefinition(
    name="daily_extract",
    job=extract_job,
    cron_schedule=EXTRACT_CRON,
    execution_timezone="UTC",
    # On by default, like the EventBridge rule; stop it in the UI (Automation).
    default_status=DefaultScheduleStatus.RUNNING,
    description="Extract the configured playlists every day at 06:00 UTC.",
)
