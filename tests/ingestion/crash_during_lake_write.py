"""Run `spotify-elt ARGS…` and die (exit 17, no clean-up) when dlt starts the lake's third
table file.

A stand-in for an extraction killed while it writes the lake (kill -9, OOM killer): two
table files landed, the rest of dlt's load package is left pending in its working folder.
Usage: python crash_during_lake_write.py run --data-dir DIR --demo
"""

import os
import sys

from dlt.destinations.impl.filesystem.filesystem import FilesystemLoadJob

from orchestration.cli import main

_run = FilesystemLoadJob.run
_started: list[str] = []


def _run_or_die(self: FilesystemLoadJob) -> None:
    if not self.load_table_name.startswith("_dlt"):
        _started.append(self.load_table_name)
        if len(_started) == 3:
            os._exit(17)
    _run(self)


FilesystemLoadJob.run = _run_or_die
os.environ["LOAD__WORKERS"] = "1"  # one file after the other: two land, the third dies

if __name__ == "__main__":
    main(sys.argv[1:])
