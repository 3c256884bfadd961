"""The Hyper extract: every mart of the serving file in one .hyper, with Tableau's own Hyper API.

Hyper API (`tableauhyperapi`, the optional group `tableau`) starts a local `hyperd`
process for the duration of the export, with usage data to Tableau switched off and
no log file. The extract is written to a temp file and swapped in, like the serving file.
"""

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from serving.errors import MissingExtraError, TableauExportError
from serving.marts import MARTS_SCHEMA
from serving.tableau.column_types import ColumnType, from_duckdb

logger = logging.getLogger(__name__)

# Tableau's own extracts keep their tables in the schema "Extract".
EXTRACT_SCHEMA = "Extract"
_BATCH_ROWS = 10_000


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    cast_to_text: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: int


def hyper_api() -> Any:
    """The tableauhyperapi module, or a clear error naming the optional group."""
    try:
        import tableauhyperapi
    except ImportError:
        raise MissingExtraError("tableau", "tableauhyperapi") from None
    return tableauhyperapi


@contextmanager
def hyper_process() -> Iterator[Any]:
    """A local hyperd: no telemetry, no hyperd.log in the working directory."""
    api = hyper_api()
    with tempfile.TemporaryDirectory(prefix="hyperd-") as log_dir:
        parameters = {"log_config": "", "log_dir": log_dir}
        with api.HyperProcess(
            telemetry=api.Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters=parameters
        ) as process:
            yield process


def mart_columns(db: duckdb.DuckDBPyConnection, mart: str) -> tuple[Column, ...]:
    rows = db.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [MARTS_SCHEMA, mart],
    ).fetchall()
    columns = []
    for name, data_type in rows:
        column_type, cast = from_duckdb(data_type)
        columns.append(Column(name, column_type, cast))
    return tuple(columns)


def _sql_type(api: Any, column_type: ColumnType) -> Any:
    return {
        "TEXT": api.SqlType.text,
        "BIG_INT": api.SqlType.big_int,
        "DOUBLE": api.SqlType.double,
        "BOOL": api.SqlType.bool,
        "DATE": api.SqlType.date,
        "TIMESTAMP": api.SqlType.timestamp,
        "TIMESTAMP_TZ": api.SqlType.timestamp_tz,
    }[column_type.hyper]()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_hyper(source: Path, target: Path, marts: list[str]) -> list[Table]:
    """Copy the marts of the DuckDB file `source` into the extract `target`, one table each."""
    api = hyper_api()
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    tables: list[Table] = []
    try:
        with (
            duckdb.connect(str(source), read_only=True) as db,
            hyper_process() as process,
            api.Connection(process.endpoint, str(temp), api.CreateMode.CREATE_AND_REPLACE) as hyper,
        ):
            hyper.catalog.create_schema(api.SchemaName(EXTRACT_SCHEMA))
            for mart in marts:
                tables.append(_copy_table(api, db, hyper, mart))
        temp.chmod(0o644)  # hyperd creates files readable by their owner only
        os.replace(temp, target)
    except api.HyperException as error:
        raise TableauExportError(f"Hyper could not write {target}: {error.main_message}") from None
    finally:
        temp.unlink(missing_ok=True)
    logger.info("tableau: %d marts → %s", len(tables), target)
    return tables


def _copy_table(api: Any, db: duckdb.DuckDBPyConnection, hyper: Any, mart: str) -> Table:
    columns = mart_columns(db, mart)
    definition = api.TableDefinition(
        api.TableName(EXTRACT_SCHEMA, mart),
        [
            api.TableDefinition.Column(column.name, _sql_type(api, column.type))
            for column in columns
        ],
    )
    hyper.catalog.create_table(definition)
    select = ", ".join(
        f"cast({_quoted(column.name)} as varchar)" if column.cast_to_text else _quoted(column.name)
        for column in columns
    )
    cursor = db.execute(f"select {select} from {MARTS_SCHEMA}.{_quoted(mart)}")
    rows = 0
    with api.Inserter(hyper, definition) as inserter:
        while batch := cursor.fetchmany(_BATCH_ROWS):
            inserter.add_rows(batch)
            rows += len(batch)
        inserter.execute()
    return Table(mart, columns, rows)


def describe_hyper(path: Path) -> dict[str, dict[str, str]]:
    """{table: {column: Hyper type}} of an extract, read back through Hyper itself."""
    api = hyper_api()
    with hyper_process() as process, api.Connection(process.endpoint, str(path)) as hyper:
        return {
            table.name.unescaped: {
                column.name.unescaped: str(column.type)
                for column in hyper.catalog.get_table_definition(table).columns
            }
            for table in hyper.catalog.get_table_names(api.SchemaName(EXTRACT_SCHEMA))
        }
