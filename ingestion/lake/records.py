"""Reading the records of the lake's table files directly, without dlt.

For what an extraction needs to know before it calls the API (which snapshots
landed, which artists and albums were fetched): a list of the table files of a
raw table, and the records of one file. Paths come from layout.py.
"""

import json
import logging
from collections.abc import Iterator
from typing import Any

from ingestion.errors import LakeFileError
from ingestion.lake.layout import Lake, is_loadable, table_glob

logger = logging.getLogger(__name__)


def table_files(lake: Lake, table: str) -> list[str]:
    """The table files of one raw table, relative to the lake's root, in load order."""
    try:
        found = lake.fs.glob(lake.path(table_glob(table)))
    except FileNotFoundError:
        return []
    relative = (lake.relative(path) for path in found)
    # File names start with the extraction's load id: sorting by name is load order.
    return sorted(
        (path for path in relative if is_loadable(path)), key=lambda p: p.rsplit("/", 1)[-1]
    )


def read_records(lake: Lake, relative_path: str) -> Iterator[dict[str, Any]]:
    """The records of one table file: {keys…, observed_at, payload}."""
    with lake.fs.open(lake.path(relative_path), "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise LakeFileError(
                    f"{relative_path}: line {number} is not valid JSON (truncated file?). "
                    "Move the file out of the lake, or extract that day again."
                ) from None
            if isinstance(record, dict):
                yield record
