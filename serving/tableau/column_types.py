"""One mapping of column types: DuckDB (the marts) → Hyper (the extract) → Tableau (the workbook).

A column is described once (`ColumnType`), by its Tableau datatype; the Hyper type, the
OLE DB type code Tableau records in `<metadata-record>`, and the field's default role
follow from it.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnType:
    """A column's type as Tableau sees it."""

    datatype: str  # Tableau's: string, integer, real, boolean, date, datetime
    hyper: str  # Hyper SQL type name, as tableauhyperapi's SqlType prints it
    remote_type: int  # OLE DB DBTYPE code in Tableau's metadata records
    aggregation: str  # Tableau's default aggregation of the field
    role: str  # dimension or measure
    type: str  # nominal, ordinal or quantitative


STRING = ColumnType("string", "TEXT", 129, "Count", "dimension", "nominal")
INTEGER = ColumnType("integer", "BIG_INT", 20, "Sum", "measure", "quantitative")
REAL = ColumnType("real", "DOUBLE", 5, "Sum", "measure", "quantitative")
BOOLEAN = ColumnType("boolean", "BOOL", 11, "Count", "dimension", "nominal")
DATE = ColumnType("date", "DATE", 133, "Year", "dimension", "ordinal")
DATETIME = ColumnType("datetime", "TIMESTAMP", 135, "Year", "dimension", "ordinal")
DATETIME_TZ = ColumnType("datetime", "TIMESTAMP_TZ", 135, "Year", "dimension", "ordinal")

_DUCKDB: dict[str, ColumnType] = {
    "VARCHAR": STRING,
    "UUID": STRING,
    "BOOLEAN": BOOLEAN,
    "TINYINT": INTEGER,
    "SMALLINT": INTEGER,
    "INTEGER": INTEGER,
    "BIGINT": INTEGER,
    "UTINYINT": INTEGER,
    "USMALLINT": INTEGER,
    "UINTEGER": INTEGER,
    "FLOAT": REAL,
    "DOUBLE": REAL,
    "DATE": DATE,
    "TIMESTAMP": DATETIME,
    "TIMESTAMP_S": DATETIME,
    "TIMESTAMP_MS": DATETIME,
    "TIMESTAMP WITH TIME ZONE": DATETIME_TZ,
}
_DECIMAL = re.compile(r"DECIMAL\(\d+,\s*\d+\)")


def from_duckdb(duckdb_type: str) -> tuple[ColumnType, bool]:
    """The Tableau type of a DuckDB column, and whether its values must be cast to text.

    Types Tableau has no counterpart for (lists, structs, JSON, huge integers) travel as
    text; decimals become reals.
    """
    name = duckdb_type.upper()
    if name in _DUCKDB:
        return _DUCKDB[name], False
    if _DECIMAL.fullmatch(name):
        return REAL, False
    return STRING, True


def from_hyper(hyper_type: str) -> str:
    """Tableau's datatype of a Hyper column type (as `str(SqlType)` prints it)."""
    name = hyper_type.upper().split("(")[0]
    return {
        "TEXT": "string",
        "BIG_INT": "integer",
        "INT": "integer",
        "SMALL_INT": "integer",
        "DOUBLE": "real",
        "NUMERIC": "real",
        "BOOL": "boolean",
        "DATE": "date",
        "TIMESTAMP": "datetime",
        "TIMESTAMP_TZ": "datetime",
    }.get(name, "string")
