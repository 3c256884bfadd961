"""The fault suite's machinery: a replica the test controls, forked `spotify-elt run`s
against it, and one clean reference run per session to compare the marts with.

The CLI runs as the user starts it (tests/forked_cli.py: the same `main`, forked from
this process so each run skips 5-14 s of imports), with credentials that point it at a
replica served by this process: the test injects faults into it (`inject_errors`,
`expire_tokens`, a hanging handler) and watches the run (the replica's request count,
the run's stderr and files) to kill it with SIGKILL at a chosen stage.
"""

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from ingestion.spotify_replica import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    Catalog,
    ReplicaServer,
)
from tests.forked_cli import Child, Outcome

# Two playlists keep each run short; every run of the session reads the same ones.
PLAYLISTS = 2
# The only mart columns that legitimately differ between two runs over the same API
# answers on the same day: when the run observed the data. Everything else of every
# mart (ids, names, positions, dates, counts, movements, load-independent keys) must be
# equal row by row. (`observed_date` is compared: the runs of one session share a day.)
RUN_DEPENDENT_COLUMNS = frozenset({"observed_at", "first_observed_at", "last_observed_at"})
RUN_TIMEOUT = 600


def start_replica() -> ReplicaServer:
    return ReplicaServer(mode="current", catalog=Catalog.generate(seed=42), day=0).start()


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    server = start_replica()
    yield server
    server.stop()


def environment(home: Path, server: ReplicaServer, **extra: str) -> dict[str, str]:
    """A user's environment: credentials for the replica, the home, nothing of ours else."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SOURCES__SPOTIFY__", "SPOTIFY_ELT_", "SPOTIFY_API", "SPOTIFY_ACC"))
        and not key.startswith("DESTINATION")
    }
    env.update(
        {
            "SPOTIFY_ELT_HOME": str(home),
            "SOURCES__SPOTIFY__CLIENT_ID": DEMO_CLIENT_ID,
            "SOURCES__SPOTIFY__CLIENT_SECRET": DEMO_CLIENT_SECRET,
            "SOURCES__SPOTIFY__REFRESH_TOKEN": DEMO_REFRESH_TOKEN,
            "SOURCES__SPOTIFY__PLAYLISTS": ",".join(server.user_playlist_ids[:PLAYLISTS]),
            "SPOTIFY_API_BASE_URL": server.api_base_url,
            "SPOTIFY_ACCOUNTS_BASE_URL": server.accounts_base_url,
            **extra,
        }
    )
    return env


def new_home(root: Path) -> Path:
    home = root / "home"
    (home / ".dlt").mkdir(parents=True)
    return home


def start_run(home: Path, server: ReplicaServer, *args: str, **extra: str) -> Child:
    """`spotify-elt run --no-docs` against `server`, running in the background."""
    return Child(["run", "--no-docs", *args], environment(home, server, **extra), cwd=home)


def run(home: Path, server: ReplicaServer, *args: str, **extra: str) -> Outcome:
    return start_run(home, server, *args, **extra).outcome(RUN_TIMEOUT)


def kill_when(child: Child, reached: Callable[[], bool], what: str, timeout: float = 300) -> str:
    """SIGKILL `child` as soon as `reached()`; its stderr until then. Fails if the run ends
    before that stage."""
    deadline = time.monotonic() + timeout
    while not reached():
        if child.poll():
            outcome = child.outcome()
            pytest.fail(f"the run ended before {what}: {outcome.stderr[-2000:]}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"{what} not reached in {timeout} s")
        time.sleep(0.01)
    child.kill()
    return child.stderr_so_far()


def mart_contents(data_dir: Path) -> dict[str, list[tuple]]:
    """Every mart of serving.duckdb (what readers see), rows sorted, without run-dependent
    columns."""
    contents = {}
    with duckdb.connect(str(data_dir / "serving.duckdb"), read_only=True) as db:
        tables = db.sql(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by 1"
        ).fetchall()
        for (table,) in tables:
            columns = [
                name
                for (name,) in db.sql(
                    "select column_name from information_schema.columns where table_schema = "
                    f"'marts' and table_name = '{table}' order by ordinal_position"
                ).fetchall()
                if name not in RUN_DEPENDENT_COLUMNS
            ]
            listed = ", ".join(f'"{name}"' for name in columns)
            contents[table] = db.sql(f"select {listed} from marts.{table} order by all").fetchall()
    return contents


def assert_same_marts(actual: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> None:
    assert sorted(actual) == sorted(expected), "a different set of marts"
    differing = {
        table: (len(actual[table]), len(expected[table]))
        for table in expected
        if actual[table] != expected[table]
    }
    assert not differing, f"marts differ from the clean run's (rows now, rows clean): {differing}"


@pytest.fixture(scope="session")
def clean_marts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    """The marts of one clean run, against a replica of its own: the reference."""
    server = start_replica()
    try:
        home = new_home(tmp_path_factory.mktemp("clean"))
        outcome = run(home, server)
        assert outcome.returncode == 0, outcome.stderr[-3000:]
        contents = mart_contents(home / "data")
    finally:
        server.stop()
    assert all(contents.values()), "the clean run left an empty mart"
    return contents
