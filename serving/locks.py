"""The DuckDB warehouse takes one writer and no readers while it writes.

DuckDB locks the whole file: a reader that holds warehouse.duckdb open (Tableau, a
notebook, the CLI, even read-only) makes the next write fail. Before the pipeline
writes, `wait_for_warehouse` waits a bounded time for the file to be free, then
stops with one line naming the holder (DuckDB's lock error names the program and PID).
"""

import logging
import os
import re
import time
from pathlib import Path

import duckdb

from ingestion.errors import ConfigurationError
from serving.errors import WarehouseBusyError

logger = logging.getLogger(__name__)

# How long a run waits for readers of warehouse.duckdb to let go.
DEFAULT_WAIT_SECONDS = 30.0
WAIT_ENV = "SPOTIFY_ELT_LOCK_WAIT_SECONDS"
_POLL_SECONDS = 0.5
_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def lock_holder(error: BaseException) -> str | None:
    """'<program> (PID n)' from a DuckDB lock error, or None when it is not one."""
    match = _HOLDER.search(str(error))
    if match is None:
        return None
    return f"{match['program']} (PID {match['pid']})"


def is_lock_error(error: BaseException) -> bool:
    # DuckDB raises a plain IOException for a held lock: its text is the only sign.
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()  # third-party


def wait_seconds() -> float:
    value = os.environ.get(WAIT_ENV)
    if not value:
        return DEFAULT_WAIT_SECONDS
    try:
        return float(value)
    except ValueError:
        raise ConfigurationError(
            f"{WAIT_ENV} must be a number of seconds (e.g. 30), not {value!r}."
        ) from None


def wait_for_warehouse(path: Path, timeout: float | None = None) -> None:
    """Return once `path` can be opened for writing (or does not exist yet).

    Raises WarehouseBusyError after `timeout` seconds (SPOTIFY_ELT_LOCK_WAIT_SECONDS,
    30 by default) if another process still holds it.
    """
    timeout = wait_seconds() if timeout is None else timeout
    if not path.exists():
        return
    deadline = time.monotonic() + timeout
    announced = False
    while True:
        try:
            duckdb.connect(str(path)).close()
            return
        except duckdb.IOException as error:
            if not is_lock_error(error):
                raise
            holder = lock_holder(error)
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(str(path), holder, timeout) from None
            if not announced:
                logger.warning(
                    "%s is held open by %s; waiting up to %g s for it to close",
                    path,
                    holder or "another process",
                    timeout,
                )
                announced = True
            time.sleep(_POLL_SECONDS)
