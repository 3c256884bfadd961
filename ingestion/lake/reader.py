"""Reading the lake back: the dlt source that loads lake files into the raw tables.

Table files (written by `extract`) and imported files (through their sidecars)
become rows of the same raw tables, with the same keys, so the warehouse can
always be rebuilt from the lake alone without calling the API. Only files written
since the last load are read (dlt's incremental cursor on their modification time).
"""

import json
import logging
from collections.abc import Iterator
from typing import Any

import dlt
from dlt.sources import DltResource
from dlt.sources.filesystem import FileItemDict, filesystem

import ingestion.raw_tables as raw_tables
from ingestion.errors import LakeFileError
from ingestion.lake.imports import records_of_import
from ingestion.lake.layout import Lake, sidecar_glob, table_glob

logger = logging.getLogger(__name__)

# Columns dlt adds in the lake; the warehouse load makes its own.
_DLT_COLUMNS = ("_dlt_load_id", "_dlt_id")


def read_lake_file(file: FileItemDict) -> Iterator[dict[str, Any]]:
    """Records of one lake file, with a clear error naming the file when it is damaged."""
    with file.open(mode="rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise LakeFileError(
                    f"{file['file_url']}: line {number} is not valid JSON (truncated file?). "
                    "Move the file out of the lake, or extract that day again."
                ) from None
            if not isinstance(record, dict) or "payload" not in record:
                raise LakeFileError(
                    f"{file['file_url']}: line {number} is not a record of the spotify source."
                )
            for column in _DLT_COLUMNS:
                record.pop(column, None)
            record["lake_file"] = file["relative_path"]
            yield record


def _files(lake: Lake, glob: str, name: str) -> DltResource:
    return filesystem(
        bucket_url=lake.url,
        # The filesystem object itself: the lake's credentials, resolved once.
        credentials=lake.fs,
        file_glob=glob,
        # Only files written since the last load; a rebuild resets this cursor.
        incremental=dlt.sources.incremental("modification_date"),
    ).with_name(name)


def _table_reader(table: str, lake: Lake) -> DltResource:
    files = _files(lake, table_glob(table), f"lake_{table}_files")

    @dlt.transformer(**raw_tables.warehouse_table_hints(table))
    def read(items: list[FileItemDict]) -> Iterator[list[dict[str, Any]]]:
        for file in items:
            records = list(read_lake_file(file))
            logger.info("lake: %s (%d records)", file["relative_path"], len(records))
            if records:
                yield records

    return files | read.with_name(table)


def _imports_reader(table: str, lake: Lake) -> DltResource:
    """Rows of `table` from files brought in by `spotify-elt import-raw` (see imports.py)."""
    files = _files(lake, sidecar_glob(), f"imports_{table}_files")
    hints = raw_tables.warehouse_table_hints(table)
    hints["name"] = f"imports_{table}"

    @dlt.transformer(table_name=table, **hints)
    def read(items: list[FileItemDict]) -> Iterator[list[dict[str, Any]]]:
        for file in items:
            meta = json.loads(file.read_bytes())
            with lake.fs.open(lake.path(meta["lake_path"]), "rb") as handle:
                raw = handle.read()
            rows = [
                {**row, "lake_file": meta["lake_path"]}
                for name, row in records_of_import(meta, raw)
                if name == table
            ]
            if rows:
                yield rows

    return files | read


def _empty_table(table: str) -> DltResource:
    # The dbt sources need every raw table, even one no file has filled yet.
    hints = raw_tables.warehouse_table_hints(table)
    hints["name"] = f"{table}_schema"

    @dlt.resource(table_name=table, **hints)
    def materialize() -> Iterator[Any]:
        yield dlt.mark.materialize_table_schema()

    return materialize()


@dlt.source(name="spotify", max_table_nesting=0)
def lake_source(lake: Lake) -> list[DltResource]:
    """Read the lake into the raw tables (same names and keys as the `spotify` API source)."""
    resources: list[DltResource] = []
    for table in raw_tables.RAW_TABLES:
        resources += [_empty_table(table), _table_reader(table, lake)]
        if table in ("playlists", "playlist_entries"):
            resources.append(_imports_reader(table, lake))
    return resources
