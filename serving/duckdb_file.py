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

from orchestration.config import Settings
from serving.errors import ServingFileError
from serving.locks import lock_holder
from serving.marts import MARTS_SCHEMA, declared_marts, marts_in_database

logger = logging.getLogger(__name__)

SERVING_FILE = "serving.duckdb"
_TARGET = "serving_publish"  # the new file's name while it is attached
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
    from ingestion.warehouse.destinations import (
        DUCKDB_TARGETS,  # dlt: imported only when publishing
    )

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
    # Through the warehouse's own connection, with the new file attached to it: dbt-duckdb
    # may still hold the warehouse open in this process, and DuckDB lets one process
    # attach a file once.
    declared = declared_marts(settings)
    try:
        db = duckdb.connect(str(warehouse))
    except duckdb.IOException as error:
        raise ServingFileError(
            f"Cannot read {warehouse} to publish the serving file: it is held by "
            f"{lock_holder(error) or 'another process'}; run `spotify-elt transform` again "
            "once it is closed."
        ) from None
    with db:
        source = db.execute("select current_database()").fetchone()[0]
        built = marts_in_database(db, source)
        names = [mart.name for mart in declared] if declared is not None else built
        missing = sorted(set(names) - set(built))
        if missing:
            raise ServingFileError(
                f"The warehouse has no table for the mart(s) {', '.join(missing)}: "
                "run `spotify-elt transform` and publish again."
            )
        db.execute(f"attach {_literal(str(temp))} as {_TARGET}")
        try:
            db.execute(f"create schema {_TARGET}.{MARTS_SCHEMA}")
            rows: dict[str, int] = {}
            for name in names:
                table = f"{MARTS_SCHEMA}.{_identifier(name)}"
                db.execute(f"create table {_TARGET}.{table} as from {_identifier(source)}.{table}")
                rows[name] = db.execute(f"select count(*) from {_TARGET}.{table}").fetchone()[0]
            _copy_comments(db, source, names)
            db.execute(f"checkpoint {_TARGET}")
        finally:
            db.execute(f"detach {_TARGET}")
    return rows


def _copy_comments(db: duckdb.DuckDBPyConnection, source: str, names: list[str]) -> None:
    """dbt's descriptions (persist_docs) travel along, for `describe` and notebooks."""
    for table, comment in db.execute(
        "select table_name, comment from duckdb_tables() "
        "where database_name = ? and schema_name = ? and comment is not null",
        [source, MARTS_SCHEMA],
    ).fetchall():
        if table in names:
            target = f"{_TARGET}.{MARTS_SCHEMA}.{_identifier(table)}"
            db.execute(f"comment on table {target} is {_literal(comment)}")
    for table, column, comment in db.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where database_name = ? and schema_name = ? and comment is not null",
        [source, MARTS_SCHEMA],
    ).fetchall():
        if table in names:
            target = f"{_TARGET}.{MARTS_SCHEMA}.{_identifier(table)}.{_identifier(column)}"
            db.execute(f"comment on column {target} is {_literal(comment)}")


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
