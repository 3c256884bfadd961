"""Where things are in the lake: the one module that knows its paths and partitions.

Under the lake's root (a local folder or s3://…):

    spotify/<table>/date=<YYYY-MM-DD>/<load_id>.<file_id>.jsonl   written by `extract`
    imports/date=<YYYY-MM-DD>/<sha16>-<original name>             written by `import-raw`
    imports/date=<YYYY-MM-DD>/<sha16>.meta.json                   its sidecar, written last
    quarantine/<origin>/date=<YYYY-MM-DD>/<name>                  set aside: unusable input
    quarantine/<origin>/date=<YYYY-MM-DD>/<name>.reason.txt       why, in one sentence

A table file holds one record of the `spotify` source per line: the keys,
`observed_at` and `payload`, the API object unchanged. An imported file is the
saved API response byte for byte; its sidecar says what the file itself does not
(playlist id, observation time).
"""

from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

import fsspec
from dlt.common.configuration import resolve_configuration
from dlt.common.storages import FilesystemConfiguration, fsspec_from_config

# dlt's dataset name on the filesystem destination: the top folder of table files.
LAKE_DATASET = "spotify"
# dlt's filesystem layout for table files, below LAKE_DATASET.
LAKE_LAYOUT = "{table_name}/date={YYYY}-{MM}-{DD}/{load_id}.{file_id}.{ext}"
IMPORTS_DIR = "imports"
SIDECAR_SUFFIX = ".meta.json"
# Input that cannot be stored or parsed is set aside here, never loaded (see quarantine.py).
QUARANTINE_DIR = "quarantine"
REASON_SUFFIX = ".reason.txt"
# The top folders whose files `load` reads (the sensor watches the same ones).
LOADABLE_DIRS = (LAKE_DATASET, IMPORTS_DIR)


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

    def relative(self, full_path: str) -> str:
        """A path of `fs` (as `find` returns it) relative to the lake's root."""
        return full_path[len(self.root) :].lstrip("/")


def table_glob(table: str) -> str:
    """The table files of one raw table, relative to the lake's root."""
    return f"{LAKE_DATASET}/{table}/**/*.jsonl*"


def sidecar_glob() -> str:
    """The sidecars of imported files, relative to the lake's root."""
    return f"{IMPORTS_DIR}/**/*{SIDECAR_SUFFIX}"


def imported_file_paths(day: str, sha256: str, original_name: str) -> tuple[str, str]:
    """(file, sidecar) paths of an imported file, relative to the lake's root.

    Named after the content's hash, so importing the same file twice changes nothing.
    """
    folder = f"{IMPORTS_DIR}/date={day}"
    return f"{folder}/{sha256[:16]}-{original_name}", f"{folder}/{sha256[:16]}{SIDECAR_SUFFIX}"


def quarantine_paths(origin: str, day: str, name: str) -> tuple[str, str]:
    """(file, reason) paths of something set aside, relative to the lake's root.

    `origin` says which stage refused it: `api` (a response), `import` (an archive
    file), `load` (a lake file the warehouse could not read).
    """
    folder = f"{QUARANTINE_DIR}/{origin}/date={day}"
    return f"{folder}/{name}", f"{folder}/{name}{REASON_SUFFIX}"


def is_loadable(relative_path: str) -> bool:
    """True for the files `load` reads: table data and import sidecars, not dlt's own."""
    parts = PurePosixPath(relative_path).parts
    if not parts:
        return False
    name = parts[-1]
    if parts[0] == LAKE_DATASET:
        return len(parts) >= 3 and not parts[1].startswith("_dlt") and ".jsonl" in name
    if parts[0] == IMPORTS_DIR:
        return name.endswith(SIDECAR_SUFFIX)
    return False
