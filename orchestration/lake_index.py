"""What the lake holds, for the extraction: ingestion.spotify.known over ingestion.lake.records.

The source may not import the lake (it is downstream); the orchestration joins them.
"""

import logging
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from ingestion.errors import LakeFileError
from ingestion.lake import Lake
from ingestion.lake.records import read_records, table_files
from ingestion.spotify.known import Known, read_known

logger = logging.getLogger(__name__)

# The index's cache, in the data dir's state folder (next to the rate-limit breaker's file).
CACHE_FILE = "lake_index.json"


def lake_index(lake: Lake, state_dir: Path) -> Known:
    """Snapshots, artists and albums in the lake (cached in `state_dir`)."""
    return read_known(
        partial(table_files, lake), partial(_readable_records, lake), state_dir / CACHE_FILE
    )


def _readable_records(lake: Lake, relative_path: str) -> Iterator[dict[str, Any]]:
    """A file's records up to a damaged line: what the index misses is only asked again.

    The damaged file itself is the load's to set aside; it must not stop the extraction.
    """
    try:
        yield from read_records(lake, relative_path)
    except LakeFileError as error:
        logger.warning("lake index: %s", error)
