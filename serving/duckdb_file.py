"""Publish the marts to data/serving.duckdb, the file readers open instead of the warehouse.

After a green dbt build the marts are copied into a temp file next to the serving
file, which then replaces it in one os.replace: a reader sees the previous complete
set of marts or the new one, never a half-built file, and a reader holding the old
file open keeps reading it undisturbed (POSIX keeps the replaced file alive for it).
"""

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.snowflake import DUCKDB_TARGETS
from orchestration.config import Settings
from serving.errors import ServingFileError
from serving.locks import lock_holder
from serving.marts import MARTS_SCHEMA, declared_marts, marts_in_database

logger = logging.getLogger(__name__)

SERVING_FILE = "serving.duckdb"
# On Windows a file open elsewhere cannot be replaced: try again for this long.
_REPLACE_WAIT_SECONDS = 10.0


@dataclass
class PublishResult:
    path: Path
    rows: dict[str, int]


def serving_path(settings: Settings) -> Path:
    """Where readers find the marts: <data dir>/serving.duckdb, schema `marts`."""
    return settings.data_dir / SERVING_FILE


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def publish_serving_file(settings: Settings) -> PublishResult | None:
    """Copy every mart of the DuckDB warehouse into a fresh serving file and swap it in.

    Returns None for a warehouse that is not DuckDB (Snowflake serves its readers itself).
    """
    if settings.target not in DUCKDB_TARGETS:
        return None
    warehouse = settings.duckdb_path
    if not warehouse.exists():
        raise ServingFileError(f"No warehouse at {warehouse}: run `spotify-elt run` first.")
    target = serving_path(settings)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    _remove(temp)
    try:
        rows = _write(warehouse, temp, settings)
        _replace(temp, target)
    finally:
        _remove(temp)
    logger.info("serving: %d marts published to %s", len(rows), target)
    return PublishResult(path=target, rows=rows)


def _write(warehouse: Path, temp: Path, settings: Settings) -> dict[str, int]:
    declared = declared_marts(settings)
    with duckdb.connect(str(temp)) as db:
        try:
            db.execute(f"attach {_literal(str(warehouse))} as warehouse (read_only)")
        except duckdb.IOException as error:
            holder = lock_holder(error)
            raise ServingFileError(
                f"Cannot read {warehouse} to publish the serving file: it is being written "
                f"by {holder or 'another process'}; run `spotify-elt transform` once it is done."
            ) from None
        built = marts_in_database(db, "warehouse")
        names = [mart.name for mart in declared] if declared is not None else built
        missing = sorted(set(names) - set(built))
        if missing:
            raise ServingFileError(
                f"The warehouse has no table for the mart(s) {', '.join(missing)}: "
                "run `spotify-elt transform` and publish again."
            )
        db.execute(f"create schema {MARTS_SCHEMA}")
        rows: dict[str, int] = {}
        for name in names:
            table = f"{MARTS_SCHEMA}.{_identifier(name)}"
            db.execute(f"create table {table} as from warehouse.{table}")
            rows[name] = db.execute(f"select count(*) from {table}").fetchone()[0]
        _copy_comments(db, names)
        db.execute("detach warehouse")
        db.execute("checkpoint")
    return rows


def _copy_comments(db: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    """dbt's descriptions (persist_docs) travel along, for `describe` and notebooks."""
    for table, comment in db.execute(
        "select table_name, comment from duckdb_tables() "
        "where database_name = 'warehouse' and schema_name = ? and comment is not null",
        [MARTS_SCHEMA],
    ).fetchall():
        if table in names:
            db.execute(
                f"comment on table {MARTS_SCHEMA}.{_identifier(table)} is {_literal(comment)}"
            )
    for table, column, comment in db.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where database_name = 'warehouse' and schema_name = ? and comment is not null",
        [MARTS_SCHEMA],
    ).fetchall():
        if table in names:
            db.execute(
                f"comment on column {MARTS_SCHEMA}.{_identifier(table)}.{_identifier(column)} "
                f"is {_literal(comment)}"
            )


def _replace(temp: Path, target: Path) -> None:
    deadline = time.monotonic() + _REPLACE_WAIT_SECONDS
    while True:
        try:
            os.replace(temp, target)
            return
        except PermissionError as error:  # Windows: the old file is open in a reader
            if time.monotonic() >= deadline:
                raise ServingFileError(
                    f"Cannot replace {target}: a program holds it open ({error.strerror}); "
                    "close it and run `spotify-elt transform` again."
                ) from None
            time.sleep(0.5)


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
