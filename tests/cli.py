"""Run `spotify-elt` as a user would: a separate process, no Spotify credentials."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.config import Settings
from orchestration.steps import mart_names

REPO = Path(__file__).resolve().parents[1]
SPOTIFY_ELT = Path(sys.executable).parent / "spotify-elt"


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: int = 300):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SOURCES__SPOTIFY__", "SPOTIFY_ELT_"))
    }
    environment.update(env or {})
    return subprocess.run(
        [str(SPOTIFY_ELT), *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def query(data_dir: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as db:
        return db.sql(sql).fetchall()


def scalar(data_dir: Path, sql: str):
    return query(data_dir, sql)[0][0]


def marts_of(data_dir: Path) -> tuple[str, ...]:
    """The marts of the last build in `data_dir`, from dbt's manifest."""
    return mart_names(Settings(data_dir=data_dir, lake_url=str(data_dir / "lake")))


def mart_counts(data_dir: Path) -> dict[str, int]:
    marts = marts_of(data_dir)
    assert marts, f"no dbt manifest under {data_dir}"
    return {mart: scalar(data_dir, f"select count(*) from marts.{mart}") for mart in marts}
