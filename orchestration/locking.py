"""One command at a time per data directory: a second one refuses with a clear message.

Two runs on one data dir would share dlt's working folders and the DuckDB file; the
second used to die inside dlt ("package could not be found"). An advisory lock
(flock) on `<data dir>/.spotify-elt.lock` is held for the whole command and
released by the OS if the process dies, so a killed run never blocks the next one.
"""

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ingestion.errors import SpotifyEltError

LOCK_FILE = ".spotify-elt.lock"


class DataDirBusy(SpotifyEltError):
    """Another spotify-elt command holds the data directory."""


@contextmanager
def exclusive_data_dir(data_dir: Path, command: str, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the data directory's lock for the block; wait up to `wait_seconds` for it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_FILE
    with open(path, "a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DataDirBusy(_busy_message(path, data_dir)) from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        holder = {"pid": os.getpid(), "command": command, "since": datetime.now(UTC).isoformat()}
        handle.write(json.dumps(holder))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _busy_message(path: Path, data_dir: Path) -> str:
    try:
        holder = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        holder = {}
    who = (
        f"`spotify-elt {holder.get('command', '?')}` (pid {holder.get('pid', '?')}, "
        f"since {holder.get('since', '?')})"
        if holder
        else "another spotify-elt command"
    )
    return (
        f"{who} is using {data_dir}: wait for it to finish and run again, or use another "
        "--data-dir."
    )
