"""A Snowflake for the tests: fakesnow's server on 127.0.0.1, in a process of its own.

The tests talk to it over the network as production talks to Snowflake: dlt's
Snowflake destination and dbt-snowflake both go through snowflake-connector-python's
REST protocol (`host`, `port`, `protocol: http`, account `fakesnow`). The server is
fakesnow's own app with a few gaps closed (fakesnow_server.py lists them).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestration.config import CHECKOUT_ROOT
from tests.network import free_port

DBT_PROJECT_DIR = CHECKOUT_ROOT / "dbt_project"

HOST = "127.0.0.1"
ACCOUNT = "fakesnow"
USER = "fake"
PASSWORD = "snow"
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class SnowflakeServer:
    """Where the fake Snowflake listens, and how dlt, dbt and the tests reach it."""

    host: str
    port: int
    log_path: Path

    def connector_params(self, database: str, **overrides: Any) -> dict[str, Any]:
        """snowflake.connector.connect(**params), for the tests' own queries."""
        return {
            "account": ACCOUNT,
            "user": USER,
            "password": PASSWORD,
            "host": self.host,
            "port": self.port,
            "protocol": "http",
            "database": database,
            "login_timeout": 30,
            "network_timeout": 30,
            "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
            **overrides,
        }

    def dlt_environment(self, database: str, user: str = USER) -> dict[str, str]:
        """dlt's `[destination.snowflake.credentials]` in the environment form (docs/snowflake.md).

        `query` carries what is not a dlt field: dlt hands its keys to the connector,
        which is how host, port and protocol reach it here. A real account needs none.
        """
        prefix = "DESTINATION__SNOWFLAKE__CREDENTIALS__"
        return {
            f"{prefix}DATABASE": database,
            f"{prefix}HOST": ACCOUNT,
            f"{prefix}USERNAME": user,
            f"{prefix}PASSWORD": PASSWORD,
            f"{prefix}WAREHOUSE": "SPOTIFY_WH",
            f"{prefix}ROLE": "SPOTIFY_LOADER",
            f"{prefix}QUERY": json.dumps(
                {"host": self.host, "port": self.port, "protocol": "http"}
            ),
        }

    def dbt_environment(self, database: str, user: str = USER) -> dict[str, str]:
        """The tests' dbt profile (target `fakesnow`) and what it reads through env_var()."""
        return {
            "SPOTIFY_ELT_DBT_PROFILES_DIR": str(write_test_profiles(self.log_path.parent)),
            "SPOTIFY_ELT_FAKESNOW_HOST": self.host,
            "SPOTIFY_ELT_FAKESNOW_PORT": str(self.port),
            "SNOWFLAKE_USER": user,
            "SNOWFLAKE_DATABASE": database,
            "DBT_ENV_SECRET_SNOWFLAKE_PASSWORD": PASSWORD,
        }

    def query(self, database: str, sql: str) -> list[tuple[Any, ...]]:
        import snowflake.connector

        with snowflake.connector.connect(**self.connector_params(database)) as connection:
            return connection.cursor().execute(sql).fetchall()


FAKESNOW_TARGET = "fakesnow"


def write_test_profiles(folder: Path) -> Path:
    """The project's profiles.yml plus a target `fakesnow`: its `prod`, pointed at the server.

    The stand-in stays in the tests: the committed profiles know nothing of it, and the
    target differs from prod only in where it connects (host, port, plain HTTP).
    """
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    outputs = profiles["spotify_elt"]["outputs"]
    outputs[FAKESNOW_TARGET] = {
        **outputs["prod"],
        "account": ACCOUNT,
        "host": "{{ env_var('SPOTIFY_ELT_FAKESNOW_HOST', '127.0.0.1') }}",
        "port": "{{ env_var('SPOTIFY_ELT_FAKESNOW_PORT', '8080') | as_number }}",
        "protocol": "http",
        "user": "{{ env_var('SNOWFLAKE_USER', 'fake') }}",
        "password": "{{ env_var('DBT_ENV_SECRET_SNOWFLAKE_PASSWORD', 'snow') }}",
        "threads": 4,
    }
    (folder / "profiles.yml").write_text(yaml.safe_dump(profiles, sort_keys=False))
    return folder


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
        return True
    return False


@pytest.fixture(scope="session", name="snowflake_server")
def snowflake_server_fixture(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SnowflakeServer]:
    """fakesnow's server, with the gaps above closed, on an ephemeral port of 127.0.0.1.

    tests/production/conftest.py registers it; tests ask for `snowflake_server`.
    """
    port = free_port()
    log_path = tmp_path_factory.mktemp("fakesnow") / "fakesnow.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("fakesnow_server.py")),
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"fakesnow did not start on {HOST}:{port}:\n{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.1)
        yield SnowflakeServer(host=HOST, port=port, log_path=log_path)
    finally:
        process.terminate()  # uvicorn shuts down on SIGTERM
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
