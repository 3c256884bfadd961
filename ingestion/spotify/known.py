"""What earlier extractions already landed, read back from the lake.

So that a run asks Spotify only for what changed: per playlist snapshot, the
positions of its entries in the lake (a snapshot counts as landed when all its
positions are there, so a run interrupted halfway is completed by the next) and
the artist and album ids its tracks refer to; per artist and album, when it was
last fetched.

The lake is the truth: this survives `rebuild` and a new machine with the same
lake. A small cache of the index (under the data dir's state folder) saves
reading every lake file again: only files it has not seen are read, and it is
built afresh when a file it knew has gone. The lake is downstream of this
package: `read_known` gets its files through two functions (the orchestration
passes ingestion.lake.records' `table_files` and `read_records`).
"""

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ENRICHED_KINDS = ("artists", "albums")
_ID_KEYS = {"artists": "artist_id", "albums": "album_id"}
_CACHE_VERSION = 1


def entry_item(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The track or episode of a playlist entry, in the 2026 (`item`) or legacy (`track`) shape."""
    item = entry.get("item")
    if item is None:
        item = entry.get("track")
    return item if isinstance(item, dict) else None


def referenced_ids(item: dict[str, Any] | None) -> dict[str, set[str]]:
    """Artist and album ids a track refers to (its artists and its album's artists)."""
    found: dict[str, set[str]] = {"artists": set(), "albums": set()}
    if not item or item.get("type", "track") != "track" or item.get("is_local"):
        return found
    album = item.get("album") or {}
    if album.get("id"):
        found["albums"].add(album["id"])
    for artist in [*(item.get("artists") or []), *(album.get("artists") or [])]:
        if isinstance(artist, dict) and artist.get("id"):
            found["artists"].add(artist["id"])
    return found


@dataclass
class SnapshotEntries:
    """The entries of one playlist snapshot that are in the lake."""

    positions: set[int] = field(default_factory=set)
    references: dict[str, set[str]] = field(
        default_factory=lambda: {kind: set() for kind in ENRICHED_KINDS}
    )


@dataclass
class Known:
    """What the lake holds: snapshots with their entries, artists and albums with dates."""

    snapshots: dict[tuple[str, str], SnapshotEntries] = field(default_factory=dict)
    fetched: dict[str, dict[str, str]] = field(
        default_factory=lambda: {kind: {} for kind in ENRICHED_KINDS}
    )
    files: set[str] = field(default_factory=set)

    def landed(self, playlist_id: str, snapshot_id: str, total: int) -> bool:
        """True when every entry of this snapshot (0..total-1) is in the lake."""
        if not snapshot_id:
            return False
        if total == 0:
            return True
        known = self.snapshots.get((playlist_id, snapshot_id))
        return known is not None and len(known.positions) >= total

    def references(self, playlist_id: str, snapshot_id: str) -> dict[str, set[str]]:
        known = self.snapshots.get((playlist_id, snapshot_id))
        return known.references if known else {kind: set() for kind in ENRICHED_KINDS}

    def fetched_at(self, kind: str, object_id: str) -> datetime | None:
        value = self.fetched[kind].get(object_id)
        return datetime.fromisoformat(value) if value else None

    def add_entry(self, record: dict[str, Any]) -> None:
        key = (str(record.get("playlist_id")), str(record.get("snapshot_id")))
        snapshot = self.snapshots.setdefault(key, SnapshotEntries())
        snapshot.positions.add(int(record.get("position", -1)))
        for kind, ids in referenced_ids(entry_item(record.get("payload") or {})).items():
            snapshot.references[kind] |= ids

    def add_object(self, kind: str, record: dict[str, Any]) -> None:
        object_id, observed = record.get(_ID_KEYS[kind]), str(record.get("observed_at") or "")
        if object_id and observed > self.fetched[kind].get(object_id, ""):
            self.fetched[kind][object_id] = observed

    # -- the cache --------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "version": _CACHE_VERSION,
            "files": sorted(self.files),
            "snapshots": [
                {
                    "playlist_id": playlist_id,
                    "snapshot_id": snapshot_id,
                    "positions": sorted(entries.positions),
                    **{kind: sorted(entries.references[kind]) for kind in ENRICHED_KINDS},
                }
                for (playlist_id, snapshot_id), entries in sorted(self.snapshots.items())
            ],
            "fetched": self.fetched,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Known":
        if data.get("version") != _CACHE_VERSION:
            raise ValueError("another version")
        known = cls(files=set(data["files"]))
        for row in data["snapshots"]:
            known.snapshots[(row["playlist_id"], row["snapshot_id"])] = SnapshotEntries(
                positions=set(row["positions"]),
                references={kind: set(row[kind]) for kind in ENRICHED_KINDS},
            )
        for kind in ENRICHED_KINDS:
            known.fetched[kind] = dict(data["fetched"][kind])
        return known


def read_known(
    table_files: Callable[[str], list[str]],
    read_records: Callable[[str], Iterable[dict[str, Any]]],
    cache_path: Path | None = None,
) -> Known:
    """What the lake holds, reading only the files the cache at `cache_path` has not seen.

    `table_files(table)` lists a raw table's lake files, `read_records(path)` reads one.
    """
    listing = {table: table_files(table) for table in ("playlist_entries", *ENRICHED_KINDS)}
    all_files = {path for paths in listing.values() for path in paths}
    known = _load_cache(cache_path)
    if known is None or not known.files <= all_files:
        known = Known()  # no cache, or a file it knew has gone: start afresh
    new = 0
    for table, paths in listing.items():
        for path in _unseen(paths, known.files):
            for record in read_records(path):
                if table == "playlist_entries":
                    known.add_entry(record)
                else:
                    known.add_object(table, record)
            known.files.add(path)
            new += 1
    logger.debug("lake index: %d new files, %d snapshots known", new, len(known.snapshots))
    if cache_path is not None and new:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(known.to_json(), separators=(",", ":")))
        temporary.replace(cache_path)
    return known


def _unseen(paths: Iterable[str], seen: set[str]) -> list[str]:
    return [path for path in paths if path not in seen]


def _load_cache(cache_path: Path | None) -> Known | None:
    if cache_path is None or not cache_path.exists():
        return None
    try:
        return Known.from_json(json.loads(cache_path.read_text()))
    except (ValueError, KeyError, TypeError):
        logger.info("lake index cache %s unreadable: reading the lake again", cache_path)
        return None
