"""Bounds of every DuckDB the project opens: the loader's reader, dlt's warehouse
connection and dbt's (dbt_project/profiles.yml reads the same values from the
environment the orchestration sets), so a small machine sets them once.

A few hundred MB by default, whatever the history: nothing the project runs holds a whole table in
memory (the load streams lake files into load files; staging is a projection of the new
raw rows; the models that sort or join all history spill past the limit), so a year of
50 playlists builds in the same memory as a week. Past the limit DuckDB spills to disk
instead of failing.
"""

import os
from typing import Any

MEMORY_LIMIT_ENV = "SPOTIFY_ELT_DUCKDB_MEMORY_LIMIT"
THREADS_ENV = "SPOTIFY_ELT_DUCKDB_THREADS"
# Per connection, unless SPOTIFY_ELT_DUCKDB_MEMORY_LIMIT says otherwise. DuckDB fills its
# buffer pool up to the limit before it evicts, so a limit is also what a step costs.
READER_MEMORY_LIMIT = "512MB"  # the lake reader: lines of playlist objects are ~216 kB
WAREHOUSE_MEMORY_LIMIT = "256MB"  # dlt's connection, inserting the load files
# dbt: the models that sort or join the whole history. dbt's own Python (~400 MB with
# the manifest) comes on top: at 512MB the build peaked at 1,019 MB for 180 days of 50
# playlists, at 400MB at 759 MB in the same time.
DEFAULT_MEMORY_LIMIT = "400MB"
DEFAULT_THREADS = 2


def duckdb_threads() -> int:
    """SPOTIFY_ELT_DUCKDB_THREADS, else 2 (as in profiles.yml): each thread holds its own
    buffers, and a vector of 2048 lake lines of playlist objects (~216 kB each with their
    embedded first page of entries) is close to half a gigabyte."""
    return int(os.environ.get(THREADS_ENV) or DEFAULT_THREADS)


def duckdb_config(
    temp_directory: str | None = None, default_memory_limit: str = DEFAULT_MEMORY_LIMIT
) -> dict[str, Any]:
    """DuckDB settings: memory limit and threads from the environment, a place to spill."""
    config: dict[str, Any] = {
        "memory_limit": memory_limit(default_memory_limit),
        "threads": duckdb_threads(),
        # Rows of one load are interchangeable (dbt orders by keys, never by position),
        # and keeping their order holds whole row groups in memory outside the limit.
        "preserve_insertion_order": False,
    }
    if temp_directory:
        config["temp_directory"] = temp_directory
    return config


def memory_limit(default: str = DEFAULT_MEMORY_LIMIT) -> str:
    """SPOTIFY_ELT_DUCKDB_MEMORY_LIMIT, else the connection's default."""
    return os.environ.get(MEMORY_LIMIT_ENV) or default
