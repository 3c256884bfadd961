"""Fixtures of the Dagster tests: a throw-away data dir and DAGSTER_HOME, the definitions
built on them, one in-process run of the whole graph, a webhook receiver."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from dagster import (
    AssetsDefinition,
    Backoff,
    DagsterInstance,
    Definitions,
    ExecuteInProcessResult,
    RetryPolicy,
    build_run_status_sensor_context,
    materialize,
)

from orchestration.config import Settings

# Retries as in production (exponential backoff) but in tenths of a second.
FAST_RETRY = RetryPolicy(max_retries=1, delay=0.1, backoff=Backoff.EXPONENTIAL)


@pytest.fixture(scope="package")
def orchestration_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """SPOTIFY_ELT_DATA_DIR and DAGSTER_HOME in a temp dir for this package's tests only."""
    root = tmp_path_factory.mktemp("orchestration")
    (root / "dagster_home").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPOTIFY_ELT_DATA_DIR", str(root / "data"))
        patch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        patch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
        for name in ("SPOTIFY_ELT_LAKE_URL", "SPOTIFY_ELT_TARGET", "SPOTIFY_ELT_DEMO"):
            patch.delenv(name, raising=False)
        patch.delenv("SPOTIFY_ELT_ALERT_WEBHOOK_URL", raising=False)
        yield root / "data"


@pytest.fixture(scope="package")
def settings(orchestration_env: Path) -> Settings:
    return Settings.resolve()


@pytest.fixture(scope="package")
def defs(settings: Settings) -> Definitions:
    """The definitions on the package's data dir (runs `dbt parse` once), in demo mode."""
    from orchestration.defs.definitions import build_defs

    return build_defs(settings, demo=True, extract_retry_policy=FAST_RETRY)


@pytest.fixture(scope="package")
def materialized(defs: Definitions, settings: Settings) -> ExecuteInProcessResult:
    """Every asset materialized once, in process, on the local API replica."""
    from orchestration.defs.resources import SpotifyDbtCliResource, SpotifyEltResource

    assets = [a for a in defs.assets or [] if isinstance(a, AssetsDefinition)]
    return materialize(
        assets,
        resources={
            "spotify": SpotifyEltResource.from_settings(settings, demo=True),
            "dbt": SpotifyDbtCliResource.from_settings(settings),
        },
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def alert_on_failure_of(result: ExecuteInProcessResult, instance: DagsterInstance) -> None:
    """What the daemon does when a run fails: the sensor `alert_on_run_failure` on that run."""
    from orchestration.defs.alerts import alert_on_run_failure

    alert_on_run_failure(
        build_run_status_sensor_context(
            sensor_name="alert_on_run_failure",
            dagster_event=result.get_run_failure_event(),
            dagster_instance=instance,
            dagster_run=result.dagster_run,
        ).for_run_failure()
    )


@dataclass
class Webhook:
    """A local Slack-compatible webhook: records the JSON bodies POSTed to it."""

    url: str
    bodies: list[dict] = field(default_factory=list)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 – http.server's naming
            length = int(self.headers.get("Content-Length", 0))
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    # A path like a real webhook's, which must never show up in a log.
    yield Webhook(url=f"http://{host}:{port}/hooks/T000/B000/s3cr3t-token", bodies=received)
    server.shutdown()
    server.server_close()
