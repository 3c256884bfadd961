"""Bounds of every DuckDB the project opens: the loader's reader, dlt's warehouse connection.

dbt's connection reads the same environment variables (dbt_project/profiles.yml), so a
small machine sets them once. Past the memory limit DuckDB spills to disk instead of
failing (for the operators that can spill).
"""

import os
from typing import Any

MEMORY_LIMIT_ENV = "SPOTIFY_ELT_DUCKDB_MEMORY_LIMIT"
THREADS_ENV = "SPOTIFY_ELT_DUCKDB_THREADS"
DEFAULT_MEMORY_LIMIT = "512MB"
# The warehouse file's connection while loading: checkpointing a year of playlist objects
# (~250 kB each) fails with "failed to pin block" under 1GB; 2GB leaves room.
WAREHOUSE_MEMORY_LIMIT = "2GB"
DEFAULT_THREADS = 2


def duckdb_threads() -> int:
    """SPOTIFY_ELT_DUCKDB_THREADS, else 2 (as in profiles.yml): each thread holds its own
    buffers, and a vector of 2048 playlist objects (each ~250 kB with its embedded first
    page of entries) is half a gigabyte."""
    return int(os.environ.get(THREADS_ENV) or DEFAULT_THREADS)


def duckdb_config(
    temp_directory: str | None = None, default_memory_limit: str = DEFAULT_MEMORY_LIMIT
) -> dict[str, Any]:
    """DuckDB settings: memory limit and threads from the environment, a place to spill."""
    config: dict[str, Any] = {
        "memory_limit": os.environ.get(MEMORY_LIMIT_ENV) or default_memory_limit,
        "threads": duckdb_threads(),
    }
    if temp_directory:
        config["temp_directory"] = temp_directory
    return config


def dbt_memory_limit() -> str:
    """dbt's DuckDB limit: SPOTIFY_ELT_DUCKDB_MEMORY_LIMIT, else DuckDB's own default (80 %
    of the machine's memory). The staging views re-read every raw row's JSON inside
    window functions, which DuckDB cannot spill: a month of 50 playlists needs more than
    8GB. Lower it once staging parses the JSON once."""
    value = os.environ.get(MEMORY_LIMIT_ENV)
    if value:
        return value
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, int(total * 0.8) >> 20)}MB"
