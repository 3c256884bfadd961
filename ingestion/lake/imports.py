"""Import saved raw API responses (the tutorial pipelines' `raw_data/` archives) into the lake.

Accepted, plain or gzip: a paging object of playlist entries, as
`json.dumps(sp.playlist_tracks(…))` wrote it (`items[].track`, 2026
`items[].item`, or both keys), or a full playlist object with its first page
embedded under `tracks` and/or `items`.

A file lands in the lake unchanged, under a name derived from its SHA-256, so
importing it twice changes nothing. What the file does not carry (playlist id,
observation time) is inferred or given by options, and kept in a sidecar
`.meta.json` next to it, which the warehouse load (ingestion/warehouse/bulk_load.py)
reads to load the file.
"""

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import fsspec

from ingestion.errors import LakeFileError, LakeWriteError
from ingestion.lake import strict_json
from ingestion.lake.layout import Lake, imported_file_paths
from ingestion.lake.quarantine import quarantine

logger = logging.getLogger(__name__)

_PLAYLIST_IN_HREF = re.compile(r"/playlists/([0-9A-Za-z]{22})")
# e.g. spotify_raw_2023-11-01 08:47:52.123456.json, top50_20231101T084752Z.json.gz
_TIME_IN_NAME = re.compile(
    r"(?P<date>\d{4}-?\d{2}-?\d{2})(?:[ T_-]?(?P<time>\d{2}[:\-]?\d{2}[:\-]?\d{2}))?"
)
_RAW_SUFFIXES = (".json", ".json.gz", ".gz", ".jsonl")


@dataclass
class ImportedFile:
    """Sidecar metadata of one imported file (what the loader needs beyond the file)."""

    lake_path: str
    source: str
    sha256: str
    kind: str  # "entries_page" or "playlist"
    playlist_id: str
    snapshot_id: str
    observed_at: str
    imported_at: str
    entries: int


@dataclass
class SetAside:
    """A file refused by import-raw: kept in the lake's quarantine with the reason."""

    source: str
    reason: str
    quarantine_path: str


@dataclass
class ImportOutcome:
    imported: list[ImportedFile]
    unchanged: list[str]
    # One message per file (or path) not imported, set aside or not.
    errors: list[str]
    # The refused files kept in the quarantine (a file that could not be read is not).
    set_aside: list[SetAside] = field(default_factory=list)


def decode(raw: bytes, name: str, max_bytes: int = strict_json.MAX_BYTES) -> Any:
    """Bytes of a saved response (gzip or plain) → JSON, strictly, or a LakeFileError naming it."""
    return strict_json.parse(strict_json.unpack(raw, name, max_bytes), name)


def entries_of(document: Any, name: str) -> tuple[str, list[dict[str, Any]], int]:
    """Classify a document and return (kind, entries, offset of the first entry)."""
    if not isinstance(document, dict):
        raise LakeFileError(
            f"{name}: JSON of another kind ({type(document).__name__}); expected a Spotify "
            "paging object of playlist entries or a playlist object."
        )
    if document.get("type") == "playlist" or "snapshot_id" in document:
        page = document.get("items") if isinstance(document.get("items"), dict) else None
        page = page or document.get("tracks")
        if not isinstance(page, dict) or not isinstance(page.get("items"), list):
            raise LakeFileError(f"{name}: a playlist object without embedded entries.")
        return "playlist", page["items"], _offset(page, name)
    if isinstance(document.get("items"), list) and "href" in document:
        first = next((item for item in document["items"] if isinstance(item, dict)), {})
        if first.get("type") in ("track", "playlist", "album", "artist", "episode"):
            raise LakeFileError(
                f"{name}: a paging object of {first['type']}s, not of playlist entries "
                "(expected the response of /playlists/{id}/tracks or /items)."
            )
        return "entries_page", document["items"], _offset(document, name)
    if "error" in document:
        raise LakeFileError(
            f"{name}: a saved Spotify error response, not data: {document['error']}"
        )
    keys = ", ".join(sorted(document)[:6])
    raise LakeFileError(
        f"{name}: JSON of another kind (keys: {keys}); expected a paging object with "
        "`href` and `items`, or a playlist object."
    )


def _offset(page: dict[str, Any], name: str) -> int:
    """The page's `offset`: the position of its first entry, a whole number."""
    offset = page.get("offset")
    if offset is None:
        return 0
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise LakeFileError(f"{name}: `offset` is {offset!r}, not a whole number of entries.")
    return offset


def check_entry(entry: Any, index: int, name: str) -> None:
    """The fields the models need; a null track (removed), local files and episodes are fine."""
    where = f"{name}: entry {index}"
    if not isinstance(entry, dict):
        raise LakeFileError(f"{where} is not an object.")
    if "track" not in entry and "item" not in entry:
        raise LakeFileError(f"{where} has neither `track` nor `item`.")
    item = entry.get("item") if entry.get("item") is not None else entry.get("track")
    if item is None:
        return
    if not isinstance(item, dict):
        raise LakeFileError(f"{where}: `track`/`item` is not an object.")
    missing = [key for key in ("type", "name") if key not in item]
    if item.get("type", "track") == "track" and not (item.get("is_local") or entry.get("is_local")):
        missing += [key for key in ("id", "album", "artists") if not item.get(key)]
    if missing:
        raise LakeFileError(f"{where} lacks {', '.join(missing)}; cannot build songs from it.")


def infer_playlist_id(document: dict[str, Any]) -> str | None:
    if document.get("type") == "playlist" and document.get("id"):
        return str(document["id"])
    match = _PLAYLIST_IN_HREF.search(str(document.get("href") or ""))
    return match.group(1) if match else None


def infer_observed_at(name: str, entries: list[dict[str, Any]]) -> datetime | None:
    """From the file name (tutorial archives put a timestamp there), else the newest added_at."""
    match = _TIME_IN_NAME.search(PurePosixPath(name).name)
    if match:
        date = match.group("date").replace("-", "")
        time = (match.group("time") or "000000").replace(":", "").replace("-", "")
        try:
            return datetime.strptime(date + time, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            pass
    added = [
        _timestamp(entry["added_at"], index, name)
        for index, entry in enumerate(entries)
        if isinstance(entry, dict) and entry.get("added_at")
    ]
    return max(added) if added else None


def _timestamp(value: Any, index: int, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if not isinstance(value, str) or moment is None:
        raise LakeFileError(
            f"{name}: entry {index} has `added_at` {str(value)[:40]!r}, not a timestamp, and the "
            "file name carries no date; give the time with --observed-at."
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def expand_paths(paths: list[str]) -> Iterator[str]:
    """Files under the given files or folders, local or s3://, in a stable order."""
    for path in paths:
        fs, root = fsspec.core.url_to_fs(path)
        if not fs.exists(root):
            raise LakeFileError(f"{path}: no such file or folder.")
        if fs.isdir(root):
            found = sorted(p for p in fs.find(root) if p.endswith(_RAW_SUFFIXES))
            if not found:
                raise LakeFileError(f"{path}: no .json or .json.gz files in this folder.")
            for file in found:
                yield fs.unstrip_protocol(file) if "://" in path else file
        else:
            yield path


def import_files(
    paths: list[str],
    lake: Lake,
    playlist_id: str | None = None,
    observed_at: datetime | None = None,
    max_bytes: int = strict_json.MAX_BYTES,
) -> ImportOutcome:
    """Check each file on its own; good ones land unchanged, bad ones go to the quarantine."""
    outcome = ImportOutcome(imported=[], unchanged=[], errors=[])
    try:
        files = list(expand_paths(paths))
    except LakeFileError as error:
        outcome.errors.append(str(error))
        return outcome
    for source in files:
        try:
            with fsspec.open(source, "rb") as handle:
                raw = handle.read(max_bytes + 1)
        except OSError as error:
            outcome.errors.append(f"{source}: cannot be read ({error.strerror or error}).")
            logger.error("%s", outcome.errors[-1])
            continue
        try:
            meta = _import_one(source, raw, lake, playlist_id, observed_at, max_bytes)
        except LakeFileError as error:
            outcome.set_aside.append(_set_aside(lake, source, raw, str(error), max_bytes))
            outcome.errors.append(str(error))
            logger.error("%s", error)
            continue
        if meta is None:
            outcome.unchanged.append(source)
        else:
            outcome.imported.append(meta)
            logger.debug("imported %s → %s (%d entries)", source, meta.lake_path, meta.entries)
    return outcome


def _set_aside(lake: Lake, source: str, raw: bytes, reason: str, max_bytes: int) -> SetAside:
    """Keep a refused file in the quarantine (named by its hash: same file, same place).

    A file over the size limit was not read whole: only its reason is kept, the file
    stays where it is.
    """
    note = reason
    if len(raw) > max_bytes:
        raw, note = b"", f"{reason} (not copied here: the file stays at its source)"
    name = f"{hashlib.sha256(raw).hexdigest()[:16]}-{PurePosixPath(source).name}"
    with _lake_writes(lake):
        path = quarantine(lake, "import", name, raw, note, source)
    return SetAside(source=source, reason=reason, quarantine_path=path)


def _import_one(
    source: str,
    raw: bytes,
    lake: Lake,
    playlist_id: str | None,
    observed_at: datetime | None,
    max_bytes: int,
) -> ImportedFile | None:
    document = decode(raw, source, max_bytes)
    kind, entries, _ = entries_of(document, source)
    for index, entry in enumerate(entries):
        check_entry(entry, index, source)
    resolved_id = playlist_id or infer_playlist_id(document)
    if not resolved_id:
        raise LakeFileError(
            f"{source}: no playlist id in the file (no `href`); give it with --playlist-id."
        )
    observed = observed_at or infer_observed_at(source, entries)
    if observed is None:
        raise LakeFileError(
            f"{source}: cannot tell when this was observed (no date in the file name, no "
            "`added_at`); give it with --observed-at."
        )
    sha = hashlib.sha256(raw).hexdigest()
    day = observed.astimezone(UTC).date().isoformat()
    name = PurePosixPath(source).name
    # Paths relative to the lake, so a moved lake (or one on S3) still reads back.
    lake_path, sidecar_path = imported_file_paths(day, sha, name)
    meta_path = lake.path(sidecar_path)
    if lake.fs.exists(meta_path):
        return None
    snapshot = document.get("snapshot_id") if kind == "playlist" else None
    meta = ImportedFile(
        lake_path=lake_path,
        source=source,
        sha256=sha,
        kind=kind,
        playlist_id=resolved_id,
        # A bare page carries no snapshot id: one synthetic snapshot per playlist and day.
        snapshot_id=snapshot or f"imported-{day}",
        observed_at=observed.astimezone(UTC).isoformat(),
        imported_at=datetime.now(UTC).isoformat(),
        entries=len(entries),
    )
    target = lake.path(lake_path)
    with _lake_writes(lake):
        lake.fs.makedirs(str(PurePosixPath(target).parent), exist_ok=True)
        with lake.fs.open(target, "wb") as handle:
            handle.write(raw)  # unchanged, byte for byte
        # The sidecar last: a crash before it leaves a file the next import rewrites.
        with lake.fs.open(meta_path, "w") as handle:
            json.dump(asdict(meta), handle, indent=2)
    return meta


@contextmanager
def _lake_writes(lake: Lake) -> Iterator[None]:
    """A lake that cannot be written stops the batch in one sentence (the next file would fail
    the same way); the files imported before stay."""
    try:
        yield
    except OSError as error:
        raise LakeWriteError(
            f"Could not write the lake at {lake.url} ({error.strerror or error}); the files "
            "imported before stay: free space or fix the permissions, then import again."
        ) from error


def records_of_import(meta: dict[str, Any], raw: bytes) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, record) pairs of an imported file, in the shape of the `spotify` source."""
    name = meta["lake_path"]
    document = decode(raw, name)
    kind, entries, offset = entries_of(document, name)
    base = {"playlist_id": meta["playlist_id"], "snapshot_id": meta["snapshot_id"]}
    if kind == "playlist":
        yield "playlists", {**base, "observed_at": meta["observed_at"], "payload": document}
    for index, entry in enumerate(entries):
        yield (
            "playlist_entries",
            {
                **base,
                "position": offset + index,
                "observed_at": meta["observed_at"],
                "payload": entry,
            },
        )
