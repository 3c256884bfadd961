"""`spotify-elt export tableau`: the extract, the packaged workbook and the live .tds files.

Everything is read from the serving file (never the warehouse), so an export can run
while the pipeline writes; each output is written to a temp file and swapped in.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.config import Settings
from serving.duckdb_file import serving_path
from serving.errors import TableauExportError
from serving.marts import MARTS_SCHEMA, marts_in_database
from serving.tableau.datasources import duckdb_tds, snowflake_tds
from serving.tableau.hyper import Table, write_hyper
from serving.tableau.workbook import SHEETS, Sheet, WorkbookInputs, build_twb, write_twbx

logger = logging.getLogger(__name__)

HYPER_FILE = "spotify_marts.hyper"
WORKBOOK_FILE = "spotify_marts.twbx"


@dataclass
class TableauExport:
    hyper: Path
    tables: list[Table]
    workbook: Path | None = None
    sheets: list[str] = field(default_factory=list)
    skipped_sheets: dict[str, str] = field(default_factory=dict)  # sheet → missing mart
    data_sources: list[Path] = field(default_factory=list)


def tableau_dir(settings: Settings) -> Path:
    return settings.data_dir / "tableau"


def export_tableau(settings: Settings, out_dir: Path | None = None) -> TableauExport:
    """Write <out>/spotify_marts.hyper, spotify_marts.twbx and live/{snowflake,duckdb}/*.tds."""
    source = serving_path(settings)
    if not source.exists():
        raise TableauExportError(
            f"No serving file at {source}: run `spotify-elt run` (or `transform`) first."
        )
    out = out_dir or tableau_dir(settings)
    with duckdb.connect(str(source), read_only=True) as db:
        marts = marts_in_database(db, db.execute("select current_database()").fetchone()[0])
    if not marts:
        raise TableauExportError(f"{source} holds no marts: run `spotify-elt transform` first.")
    tables = write_hyper(source, out / HYPER_FILE, marts)
    result = TableauExport(hyper=out / HYPER_FILE, tables=tables)
    by_name = {table.name: table for table in tables}

    sheets = []
    for sheet in SHEETS:
        if sheet.mart in by_name:
            sheets.append(sheet)
        else:
            result.skipped_sheets[sheet.name] = sheet.mart
            logger.warning("tableau: sheet %r skipped: no mart %s", sheet.name, sheet.mart)
    for sheet in sheets:
        _check_fields(sheet, by_name[sheet.mart])
    if sheets:
        filter_values = _filter_values(source, sheets)
        twb = build_twb(WorkbookInputs(by_name, filter_values), tuple(sheets))
        write_twbx(out / WORKBOOK_FILE, twb, result.hyper)
        result.workbook = out / WORKBOOK_FILE
        result.sheets = [sheet.name for sheet in sheets]

    for table in tables:
        for kind, document in (
            ("snowflake", snowflake_tds(table)),
            ("duckdb", duckdb_tds(table, source)),
        ):
            path = out / "live" / kind / f"{table.name}.tds"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(document)
            result.data_sources.append(path)
    return result


def _check_fields(sheet: Sheet, table: Table) -> None:
    """Every field a sheet uses exists in its mart with the type the sheet expects."""
    types = {column.name: column.type.datatype for column in table.columns}
    for use in sheet.uses():
        found = types.get(use.column)
        if found != use.datatype:
            what = "is missing" if found is None else f"is {found}, not {use.datatype}"
            raise TableauExportError(
                f"Sheet {sheet.name!r}: column {table.name}.{use.column} {what}; "
                "the mart's contract changed: update serving/tableau/workbook.py."
            )


def _filter_values(source: Path, sheets: list[Sheet]) -> dict[str, str]:
    """Each sheet's filter starts on the value with the most rows (the biggest playlist)."""
    values = {}
    with duckdb.connect(str(source), read_only=True) as db:
        for sheet in sheets:
            if sheet.filter is None:
                continue
            column = sheet.filter.column
            row = db.execute(
                f'select "{column}" from {MARTS_SCHEMA}."{sheet.mart}" '
                f'where "{column}" is not null group by 1 order by count(*) desc, 1 limit 1'
            ).fetchone()
            values[sheet.name] = row[0] if row else ""
    return values
