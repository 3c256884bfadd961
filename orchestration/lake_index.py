"""What the lake holds, for the extraction: ingestion.spotify.known over ingestion.lake.records.

The source may not import the lake (it is downstream); the orchestration joins them.
"""

from functools import partial
from pathlib import Path

from ingestion.lake import Lake
from ingestion.lake.records import read_records, table_files
from ingestion.spotify.known import Known, read_known

# The index's cache, in the data dir's state folder (next to the rate-limit breaker's file).
CACHE_FILE = "lake_index.json"


def lake_index(lake: Lake, state_dir: Path) -> Known:
    """Snapshots, artists and albums in the lake (cached in `state_dir`)."""
    return read_known(
        partial(table_files, lake), partial(read_records, lake), state_dir / CACHE_FILE
    )
