"""Run `steps.load` and die (exit 17, no clean-up) when dlt starts its third raw table's file.

A stand-in for a load killed halfway (power cut, OOM killer, a redeploy): some raw
tables have their rows, the others not, and dlt's load package is left pending.
Usage: python crash_during_load.py DATA_DIR LAKE_URL
"""

import os
import sys
from pathlib import Path

from dlt.destinations.impl.duckdb.duck import DuckDbCopyJob

from orchestration import steps
from orchestration.config import Settings

_run = DuckDbCopyJob.run
_started: list[str] = []


def _run_or_die(self: DuckDbCopyJob) -> None:
    _started.append(self.load_table_name)
    if len(_started) == 3:
        os._exit(17)
    _run(self)


DuckDbCopyJob.run = _run_or_die
os.environ["LOAD__WORKERS"] = "1"  # one job after the other: two finish, the third dies

if __name__ == "__main__":
    steps.load(Settings(data_dir=Path(sys.argv[1]), lake_url=sys.argv[2]))
    sys.exit(0)
