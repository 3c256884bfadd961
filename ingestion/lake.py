"""The raw lake: what the API returned, as JSON lines, partitioned by resource and date.

Layout under the lake's bucket_url (a local folder or s3://…):

    spotify/<resource>/date=<YYYY-MM-DD>/<load_id>.<file_id>.jsonl

Each line is one record of the `spotify` source: the keys, `observed_at`, and
`payload`, the API object unchanged. dlt's filesystem destination writes it;
`lake_source` reads it back, so the warehouse can always be rebuilt from the
lake alone without calling the API.
"""

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import dlt
import fsspec
from dlt.common.configuration import resolve_configuration
from dlt.common.storages import FilesystemConfiguration, fsspec_from_config
from dlt.sources import DltResource
from dlt.sources.filesystem import FileItemDict, filesystem

from ingestion.errors import LakeFileError
from ingestion.raw_import import IMPORTS_DIR, records_of_import
from ingestion.spotify import settings

logger = logging.getLogger(__name__)

LAKE_DATASET = "spotify"
LAKE_LAYOUT = "{table_name}/date={YYYY}-{MM}-{DD}/{load_id}.{file_id}.{ext}"
# Columns dlt adds in the lake; the warehouse load makes its own.
_DLT_COLUMNS = ("_dlt_load_id", "_dlt_id")


@dataclass(frozen=True)
class Lake:
    """The lake's location and how to reach it.

    Credentials come from dlt's `[destination.filesystem.credentials]` (or the
    environment form DESTINATION__FILESYSTEM__CREDENTIALS__…), the one place both
    the writing and the reading side use.
    """

    url: str

    @cached_property
    def config(self) -> FilesystemConfiguration:
        return resolve_configuration(
            FilesystemConfiguration(bucket_url=self.url), sections=("destination", "filesystem")
        )

    @cached_property
    def _fs_root(self) -> tuple[fsspec.AbstractFileSystem, str]:
        return fsspec_from_config(self.config)

    @property
    def fs(self) -> fsspec.AbstractFileSystem:
        return self._fs_root[0]

    @property
    def root(self) -> str:
        return self._fs_root[1].rstrip("/")

    @property
    def credentials(self) -> Any:
        """What dlt's filesystem destination needs; None lets a local folder need nothing."""
        return None if self.config.protocol == "file" else self.config.credentials

    def path(self, relative: str) -> str:
        return f"{self.root}/{relative}"


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
    files = _files(lake, f"{LAKE_DATASET}/{table}/**/*.jsonl*", f"lake_{table}_files")

    @dlt.transformer(**settings.warehouse_table_hints(table))
    def read(items: list[FileItemDict]) -> Iterator[list[dict[str, Any]]]:
        for file in items:
            records = list(read_lake_file(file))
            logger.info("lake: %s (%d records)", file["relative_path"], len(records))
            if records:
                yield records

    return files | read.with_name(table)


def _imports_reader(table: str, lake: Lake) -> DltResource:
    """Rows of `table` from files brought in by `spotify-elt import-raw` (see raw_import)."""
    files = _files(lake, f"{IMPORTS_DIR}/**/*.meta.json", f"imports_{table}_files")
    hints = settings.warehouse_table_hints(table)
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
    hints = settings.warehouse_table_hints(table)
    hints["name"] = f"{table}_schema"

    @dlt.resource(table_name=table, **hints)
    def materialize() -> Iterator[Any]:
        yield dlt.mark.materialize_table_schema()

    return materialize()


@dlt.source(name="spotify", max_table_nesting=0)
def lake_source(lake: Lake) -> list[DltResource]:
    """Read the lake into the raw tables (same names and keys as the `spotify` API source)."""
    resources: list[DltResource] = []
    for table in settings.RAW_TABLES:
        resources += [_empty_table(table), _table_reader(table, lake)]
        if table in ("playlists", "playlist_entries"):
            resources.append(_imports_reader(table, lake))
    return resources
