"""Harness of the dbt tests: run dbt in-process against a throw-away DuckDB file."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from dbt.cli.main import dbtRunner, dbtRunnerResult

from orchestration.steps import temporary_environment

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
RAW_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "raw"


@dataclass
class DbtProject:
    """A DuckDB warehouse file and the dbt output folder of one test module."""

    warehouse: Path
    work_dir: Path
    build_result: dbtRunnerResult | None = None

    def run(self, *args: str, from_project_dir: bool = False) -> dbtRunnerResult:
        """`dbt <args>` on this warehouse with the committed profiles.yml (target `ci`).

        from_project_dir: run as a person would, inside dbt_project with
        `--profiles-dir .`, instead of passing --project-dir and --profiles-dir.
        """
        return self.run_with(list(args), from_project_dir=from_project_dir)

    def run_with(
        self,
        args: list[str],
        profiles_dir: Path = DBT_PROJECT_DIR,
        target: str = "ci",
        from_project_dir: bool = False,
    ) -> dbtRunnerResult:
        """`dbt <args>` in-process; output (target/, logs/) under work_dir."""
        where = (
            ["--profiles-dir", "."]
            if from_project_dir
            else ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(profiles_dir)]
        )
        command = [
            *args,
            *where,
            "--target",
            target,
            "--target-path",
            str(self.work_dir / "target"),
            "--log-path",
            str(self.work_dir / "logs"),
            "--no-use-colors",
        ]
        working_dir = DBT_PROJECT_DIR if from_project_dir else Path.cwd()
        with (
            temporary_environment(
                {
                    "SPOTIFY_ELT_DUCKDB_PATH": str(self.warehouse),
                    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                }
            ),
            _cwd(working_dir),
        ):
            return dbtRunner().invoke(command)

    def query(self, sql: str, parameters: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.warehouse)) as connection:
            return connection.execute(sql, parameters or []).fetchall()

    def scalar(self, sql: str, parameters: list[Any] | None = None) -> Any:
        return self.query(sql, parameters)[0][0]


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


# The coverage check warns when a playlist seen before is missing on the last day, which
# fixtures made of captures of different playlists on different days always are.
WARNINGS_EXPECTED_ON_FIXTURES = ("assert_every_playlist_is_observed_on_the_last_day",)


def failures(result: dbtRunnerResult) -> list[str]:
    """The nodes of a dbt run that did not succeed, with their messages."""
    if result.exception is not None:
        return [f"dbt raised: {result.exception!r}"]
    bad = []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(node_result.status)
        if node_result.node.resource_type == "exposure" and status == "no-op":
            continue  # an exposure (the Tableau workbook) has nothing to build
        if status == "warn" and node_result.node.name in WARNINGS_EXPECTED_ON_FIXTURES:
            continue
        if status not in ("success", "pass"):
            bad.append(f"{node_result.node.unique_id}: {status}: {node_result.message}")
    return bad
