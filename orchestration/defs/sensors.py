"""The lake sensor: new raw files start loading and the dbt build (the S3 put trigger).

It lists the lake (a local folder or s3://, through `Lake.fs`) every 30 seconds
and watches the files the loader reads: table files written by `extract` (or by
hand) and the sidecars `spotify-elt import-raw` writes last
(`ingestion.lake.layout.is_loadable` says which).

The cursor is a high-water mark on the files' modification times plus the paths
seen at exactly that time: a file is new when it is newer than the mark, or as
old as the mark and not among those paths. So each file starts one run, once,
and files landing together start one run together; the run key (a hash of the
new files) makes Dagster drop a duplicate request even if a cursor update were
lost. This is the rule the loader itself follows (dlt's incremental cursor on
`modification_date`), so what the sensor announces is what `load` reads. Files
younger than SETTLE_SECONDS wait for the next tick: an upload may be incomplete.
"""

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from dlt.common.storages.fsspec_filesystem import MTIME_DISPATCH

from ingestion.lake.layout import LOADABLE_DIRS, Lake, is_loadable
from orchestration.defs.jobs import load_and_transform_job
from orchestration.defs.resources import SpotifyEltResource

SETTLE_SECONDS = 10.0
SENSOR_INTERVAL_SECONDS = 30


@dataclass(frozen=True, order=True)
class LakeFile:
    path: str  # relative to the lake's root, e.g. spotify/playlists/date=…/….jsonl
    mtime: float  # seconds since the epoch


@dataclass(frozen=True)
class LakeCursor:
    """The newest modification time handled, and the files handled at exactly that time."""

    mtime: float = 0.0
    paths: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, raw: str | None) -> "LakeCursor":
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(mtime=float(data["mtime"]), paths=frozenset(data["paths"]))

    def serialize(self) -> str:
        return json.dumps({"mtime": self.mtime, "paths": sorted(self.paths)})

    def is_new(self, file: LakeFile) -> bool:
        return file.mtime > self.mtime or (file.mtime == self.mtime and file.path not in self.paths)


def list_lake_files(lake: Lake) -> list[LakeFile]:
    """The loadable files of the lake with their modification times (empty for a new lake)."""
    mtime_of = MTIME_DISPATCH[lake.config.protocol]
    files = []
    for top in LOADABLE_DIRS:
        # A long-lived daemon must not see a listing cached by fsspec on an earlier tick.
        lake.fs.invalidate_cache(lake.path(top))
        found: dict[str, dict[str, Any]] = lake.fs.find(lake.path(top), detail=True)
        for full_path, info in found.items():
            if info.get("type", "file") != "file":
                continue
            relative = lake.relative(full_path)
            if is_loadable(relative):
                files.append(LakeFile(relative, mtime_of(info).timestamp()))
    return files


def new_files(
    files: list[LakeFile], cursor: LakeCursor, settled_before: float
) -> tuple[list[LakeFile], LakeCursor]:
    """The files not handled yet, and the cursor that marks them handled."""
    settled = [file for file in files if file.mtime <= settled_before]
    new = sorted(file for file in settled if cursor.is_new(file))
    if not new:
        return [], cursor
    mark = max(file.mtime for file in new)
    # Every settled file at the mark is handled now, the new ones and those of earlier ticks.
    at_mark = frozenset(file.path for file in settled if file.mtime == mark)
    return new, LakeCursor(mtime=mark, paths=at_mark)


def run_key(files: list[LakeFile]) -> str:
    digest = hashlib.sha256("\n".join(f"{f.path}@{f.mtime!r}" for f in files).encode())
    return f"lake-{digest.hexdigest()[:16]}"


@sensor(
    name="new_lake_files",
    job=load_and_transform_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Load and build when new raw files land in the lake (extract, import-raw, "
    "or by hand).",
)
def new_lake_files(
    context: SensorEvaluationContext, spotify: SpotifyEltResource
) -> SensorResult | SkipReason:
    lake = Lake(spotify.lake_url)
    cursor = LakeCursor.parse(context.cursor)
    files, next_cursor = new_files(
        list_lake_files(lake), cursor, settled_before=time.time() - SETTLE_SECONDS
    )
    if not files:
        return SkipReason(f"No new files in {spotify.lake_url}.")
    shown = ", ".join(file.path for file in files[:5])
    more = f" and {len(files) - 5} more" if len(files) > 5 else ""
    context.log.info("%d new lake file(s): %s%s", len(files), shown, more)
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=run_key(files),
                tags={"spotify_elt/trigger": "lake", "spotify_elt/new_files": str(len(files))},
            )
        ],
        cursor=next_cursor.serialize(),
    )
