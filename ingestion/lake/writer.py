"""Writing the lake: the dlt pipeline `spotify_lake` lands source records as JSON lines.

A write that an earlier run left unfinished (killed, or a full disk) is a pending load
package in dlt's working folder. dlt's `Pipeline.run` would load only that package and
return without extracting what it was given; so `land` finishes it first, on its own,
and then always extracts, normalizes and loads this run's source.
"""

import errno
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dlt
from dlt.destinations import filesystem
from dlt.extract import DltSource
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.errors import LakeWriteError
from ingestion.lake.layout import LAKE_DATASET, LAKE_LAYOUT, Lake

logger = logging.getLogger(__name__)

LAKE_PIPELINE = "spotify_lake"


@dataclass
class LakeWrite:
    """What one `land` wrote: this run's table files, and the earlier writes it finished."""

    files: int = 0
    # dlt load ids of this run's packages: lake file names start with them.
    load_ids: list[str] = field(default_factory=list)
    # Load ids of packages an interrupted earlier run left, completed before this run's own.
    finished: list[str] = field(default_factory=list)


def lake_pipeline(lake: Lake, pipelines_dir: Path) -> dlt.Pipeline:
    """Pipeline that lands the API records in the lake as plain JSON lines."""
    # Plain .jsonl so people can read the lake with any tool; scoped to this pipeline.
    os.environ.setdefault(
        f"{LAKE_PIPELINE.upper()}__NORMALIZE__DATA_WRITER__DISABLE_COMPRESSION", "true"
    )
    return dlt.pipeline(
        pipeline_name=LAKE_PIPELINE,
        destination=filesystem(
            bucket_url=lake.url, layout=LAKE_LAYOUT, credentials=lake.credentials
        ),
        dataset_name=LAKE_DATASET,
        pipelines_dir=str(pipelines_dir),
    )


def finish_interrupted_write(lake: Lake, pipelines_dir: Path) -> list[str]:
    """Complete the lake write an interrupted run left; returns its load ids.

    Call it before reading the lake for a new extraction: until then, the lake may hold
    a half-written file of that run, which the write completes.
    """
    pipeline = lake_pipeline(lake, pipelines_dir)
    with _lake_write_errors(lake, pipelines_dir):
        return _finish_pending(pipeline)


def land(source: DltSource, lake: Lake, pipelines_dir: Path) -> LakeWrite:
    """Write every record of `source` to the lake, after any write an earlier run left.

    Raises LakeWriteError when the lake or dlt's working folder cannot be written; what
    landed stays, and the next run finishes the rest.
    """
    # The lake only ever appends files; merging by key happens in the warehouse.
    for resource in source.resources.values():
        resource.apply_hints(write_disposition="append")
    pipeline = lake_pipeline(lake, pipelines_dir)
    write = LakeWrite()
    with _lake_write_errors(lake, pipelines_dir):
        write.finished = _finish_pending(pipeline)
        info = pipeline.run(source, loader_file_format="jsonl")
    write.load_ids = list(info.loads_ids)
    write.files = sum(
        1
        for package in info.load_packages
        for job in package.jobs.get("completed_jobs", [])
        if not job.job_file_info.table_name.startswith("_dlt")
    )
    return write


def _finish_pending(pipeline: dlt.Pipeline) -> list[str]:
    """Complete the packages an interrupted run left; returns their load ids."""
    if not pipeline.has_pending_data:
        return []
    if pipeline.list_extracted_load_packages():
        pipeline.normalize()  # the package's file format was chosen at its extract (jsonl)
    pending = list(pipeline.list_normalized_load_packages())
    if pending:
        logger.warning(
            "extract: finishing the lake write an earlier run left (load %s)", ", ".join(pending)
        )
        pipeline.load()
    return pending


@contextmanager
def _lake_write_errors(lake: Lake, pipelines_dir: Path) -> Iterator[None]:
    """A storage error of dlt's steps as one LakeWriteError; anything else as it is."""
    try:
        yield
    except (PipelineStepFailed, OSError) as failure:
        cause = _os_error(failure)
        if cause is None:
            raise
        raise _write_error(failure, cause, lake, pipelines_dir) from failure


# Why a file cannot be written (not a network error, which is an OSError too).
_STORAGE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS)


def _os_error(failure: BaseException) -> OSError | None:
    """The storage error behind a failed step, if any (dlt wraps it, or keeps only its text)."""
    chain: list[BaseException] = [failure]
    while len(chain) < 20:
        last = chain[-1]
        if isinstance(last, OSError) and last.errno in _STORAGE_ERRNOS:
            return last
        following = getattr(last, "exception", None) or last.__cause__ or last.__context__
        if following is None or following in chain:
            break
        chain.append(following)
    text = str(failure)
    for code in _STORAGE_ERRNOS:
        if f"[Errno {code}]" in text:
            return OSError(code, os.strerror(code))
    return None


def _write_error(
    failure: BaseException, cause: OSError, lake: Lake, pipelines_dir: Path
) -> LakeWriteError:
    # dlt's load step writes the lake; extract and normalize write its working folder.
    step = getattr(failure, "step", "load")
    place = f"the lake at {lake.url}" if step == "load" else f"dlt's working folder {pipelines_dir}"
    reason = cause.strerror or str(cause)
    return LakeWriteError(
        f"Could not write {place} ({reason}); what landed so far stays, and the next run "
        "finishes this write: free space or fix the permissions, then run again."
    )
