"""Alerts: every failed run is logged and, when a webhook is configured, posted to it.

The webhook takes Slack's incoming-webhook JSON, `{"text": …}` (Mattermost,
Teams' and Discord's Slack-compatible endpoints read the same). Its URL is a
secret: from SPOTIFY_ELT_ALERT_WEBHOOK_URL, else from dlt's secrets as
`[alerts] webhook_url` in .dlt/secrets.toml (env form ALERTS__WEBHOOK_URL).
It is never logged, not even in an error.
"""

import json
import logging
import os
import urllib.error
import urllib.request

import dlt
from dagster import DagsterEvent, DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from ingestion.errors import SpotifyEltError

logger = logging.getLogger(__name__)

WEBHOOK_ENV = "SPOTIFY_ELT_ALERT_WEBHOOK_URL"
WEBHOOK_SECRET = "alerts.webhook_url"
# Set by orchestration/dev.py, so an alert links to the run in the UI.
UI_URL_ENV = "SPOTIFY_ELT_DAGSTER_URL"
_MAX_ERROR_CHARS = 1500


def webhook_url() -> str | None:
    """The configured webhook, or None (alerts then only go to the log)."""
    url = os.environ.get(WEBHOOK_ENV)
    if url:
        return url
    try:
        return dlt.secrets.get(WEBHOOK_SECRET) or None
    except Exception:  # noqa: BLE001 – an unreadable secrets.toml must not stop the alert
        logger.warning("could not read %s from dlt's secrets", WEBHOOK_SECRET)
        return None


def post_alert(url: str, text: str, timeout: float = 10.0) -> bool:
    """POST `{"text": text}`; True when the webhook accepted it. Never raises, never logs `url`."""
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return 200 <= response.status < 300
    except urllib.error.HTTPError as error:
        logger.warning("alert webhook answered HTTP %d; the alert is only in the log", error.code)
    except (urllib.error.URLError, OSError, ValueError) as error:
        # The reason only: an URLError's text can carry the host of the secret URL.
        logger.warning(
            "alert webhook unreachable (%s); the alert is only in the log", type(error).__name__
        )
    return False


def _project_errors() -> set[str]:
    found, todo = set(), [SpotifyEltError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def _step_error(event: DagsterEvent) -> str:
    """What went wrong in a step, in the words closest to the cause."""
    data = event.step_failure_data
    error = data.error
    retries = ""
    # Exhausted retries wrap the step's own error: say what went wrong, then that retries ran out.
    while error is not None and error.cls_name == "RetryRequestedFromPolicy":
        retries = f" ({error.message.strip()})"
        error = error.cause
    if data.user_failure_data and data.user_failure_data.description:
        return data.user_failure_data.description.strip() + retries  # a dagster.Failure's words
    if error is None:
        return (event.message or "failed") + retries
    # Dagster and dlt wrap an exception in theirs; the innermost one says what happened.
    while error.cause is not None:
        error = error.cause
    message = error.message.strip()
    if error.cls_name in _project_errors():
        # Our own errors are written for people: drop the `module.Class: ` prefix.
        message = message.split(": ", 1)[-1]
    return message + retries


def failure_text(context: RunFailureSensorContext) -> str:
    """One message a person can act on: which job, which step, what went wrong, where to look."""
    run = context.dagster_run
    lines = [f"spotify-elt: run of {run.job_name} failed (run {run.run_id[:8]})."]
    step_failures = context.get_step_failure_events()
    for event in step_failures:
        lines.append(f"• step {event.step_key}: {_step_error(event)}")
    if not step_failures:
        lines.append(f"• {context.failure_event.message or 'the run failed before any step'}")
    text = "\n".join(lines)
    if len(text) > _MAX_ERROR_CHARS:
        text = text[:_MAX_ERROR_CHARS] + "…"
    ui = os.environ.get(UI_URL_ENV)
    if ui:
        text += f"\n{ui.rstrip('/')}/runs/{run.run_id}"
    return text


@run_failure_sensor(
    name="alert_on_run_failure",
    default_status=DefaultSensorStatus.RUNNING,
    description="Log every failed run and post it to the alert webhook, if one is configured.",
)
def alert_on_run_failure(context: RunFailureSensorContext) -> None:
    text = failure_text(context)
    # The sensor's logger writes to the tick's log in the UI and to the daemon's console.
    context.log.error(text)
    url = webhook_url()
    if url and post_alert(url, text):
        context.log.info("alert posted to the webhook")
