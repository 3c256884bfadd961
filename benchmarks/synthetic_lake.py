"""A lake of N days written straight from the replica's catalog, without HTTP.

Each simulated day gives the four files one `spotify-elt extract` of the demo user's
playlists (2026 API, enrichment on) writes, byte for byte in the same format: JSON
lines of the `spotify` source's records (keys, `observed_at`, the API object in
`payload`, dlt's `_dlt_load_id` and `_dlt_id`), under

    spotify/<table>/date=<YYYY-MM-DD>/<load_id>.<file_id>.jsonl

The records are the objects the replica would serve that day, rendered by its own
`Renderer`; only the load ids, row ids and file ids are made up (deterministically), as
an extraction at 06:00 UTC of each day would have made them. A test compares one
generated day with one extracted from the replica serving the same catalog and day.
"""

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import orjson

from ingestion.spotify import settings
from ingestion.spotify_replica.catalog import Catalog, Entry, Track
from ingestion.spotify_replica.render import Renderer

TABLES = ("playlists", "playlist_entries", "artists", "albums")
EXTRACTED_AT = time(6, 0)  # the daily schedule's hour, UTC
# The replica's query parameters that end up in the lake (in the embedded page's links).
PLAYLIST_QUERY = {"additional_types": "track,episode"}


def bench_catalog(playlists: int, entries: int, seed: int = 7) -> Catalog:
    """The catalog of the benchmarks: `playlists` playlists of ~`entries` entries."""
    return Catalog.generate(
        seed=seed,
        n_playlists=playlists,
        tracks_per_playlist=entries,
        long_playlist_tracks=entries * 2,
    )


@dataclass
class WrittenDay:
    day: int
    load_id: str
    files: dict[str, Path] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    bytes: int = 0


class LakeWriter:
    """Writes the lake files of simulated days; caches each rendered object once."""

    def __init__(self, catalog: Catalog, lake_dir: Path, api_base_url: str) -> None:
        self.catalog = catalog
        self.lake_dir = Path(lake_dir)
        self.render = Renderer(api_base_url, "current")
        self._entries: dict[int, tuple[Entry, orjson.Fragment]] = {}
        self._objects: dict[str, orjson.Fragment] = {}
        self._playlists: dict[tuple[str, str], orjson.Fragment] = {}

    # -- cached payloads --------------------------------------------------------------------

    def _entry(self, entry: Entry) -> orjson.Fragment:
        cached = self._entries.get(id(entry))
        if cached is None:
            # The entry object is kept alive with its payload, so its id() is never reused.
            cached = (entry, orjson.Fragment(orjson.dumps(self.render.entry(entry, ("item",)))))
            self._entries[id(entry)] = cached
        return cached[1]

    def _object(self, kind: str, object_id: str) -> orjson.Fragment:
        key = f"{kind}:{object_id}"
        cached = self._objects.get(key)
        if cached is None:
            if kind == "artists":
                obj = self.render.artist(self.catalog.artists[object_id])
            else:
                obj = self.render.album(self.catalog.albums[object_id])
            cached = self._objects[key] = orjson.Fragment(orjson.dumps(obj))
        return cached

    def _playlist(self, snap: Any) -> orjson.Fragment:
        key = (snap.id, snap.snapshot_id)
        cached = self._playlists.get(key)
        if cached is None:
            obj = self.render.playlist(snap, extra=PLAYLIST_QUERY)
            cached = self._playlists[key] = orjson.Fragment(orjson.dumps(obj))
        return cached

    # -- one day ----------------------------------------------------------------------------

    def records(self, day: int, load_id: str) -> dict[str, list[dict[str, Any]]]:
        """The records one extraction on `day` lands, per table, in the source's order."""
        observed = datetime.combine(self.catalog.date_of(day), EXTRACTED_AT, UTC).isoformat()
        snapshots = self.catalog.playlists_on_day(day)
        out: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
        seen: dict[str, set[str]] = {"artists": set(), "albums": set()}
        page_size = settings.ITEMS_PAGE_LIMIT
        for playlist_id in self.catalog.user_playlist_ids:
            snap = snapshots[playlist_id]
            out["playlists"].append(
                {
                    "playlist_id": playlist_id,
                    "snapshot_id": snap.snapshot_id,
                    "observed_at": observed,
                    "payload": self._playlist(snap),
                }
            )
            for offset in range(0, snap.total, page_size):
                page = snap.entries[offset : offset + page_size]
                found: dict[str, set[str]] = {"artists": set(), "albums": set()}
                for index, entry in enumerate(page):
                    out["playlist_entries"].append(
                        {
                            "playlist_id": playlist_id,
                            "snapshot_id": snap.snapshot_id,
                            "position": offset + index,
                            "observed_at": observed,
                            "payload": self._entry(entry),
                        }
                    )
                    if isinstance(entry.item, Track):
                        album = entry.item.album
                        found["albums"].add(album.id)
                        found["artists"].update(a.id for a in (*entry.item.artists, *album.artists))
                # Enrichment: the ids new to this run, per page, sorted (as the source does).
                for kind in ("artists", "albums"):
                    key = "artist_id" if kind == "artists" else "album_id"
                    for object_id in sorted(found[kind] - seen[kind]):
                        seen[kind].add(object_id)
                        out[kind].append(
                            {
                                key: object_id,
                                "observed_at": observed,
                                "payload": self._object(kind, object_id),
                            }
                        )
        for table, rows in out.items():
            for number, row in enumerate(rows):
                row["_dlt_load_id"] = load_id
                row["_dlt_id"] = _row_id(load_id, table, number)
        return out

    def write_day(self, day: int) -> WrittenDay:
        extracted = datetime.combine(self.catalog.date_of(day), EXTRACTED_AT, UTC)
        load_id = f"{int(extracted.timestamp())}.{day % 9973:04d}"
        written = WrittenDay(day=day, load_id=load_id)
        for table, rows in self.records(day, load_id).items():
            if not rows:
                continue
            file_id = hashlib.blake2b(f"{load_id}:{table}".encode(), digest_size=5).hexdigest()
            path = (
                self.lake_dir
                / "spotify"
                / table
                / f"date={extracted.date().isoformat()}"
                / f"{load_id}.{file_id}.jsonl"
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            data = b"".join(orjson.dumps(row) + b"\n" for row in rows)
            path.write_bytes(data)
            written.files[table] = path
            written.records[table] = len(rows)
            written.bytes += len(data)
        return written

    def write_days(self, days: range) -> Iterator[WrittenDay]:
        for day in days:
            yield self.write_day(day)


def _row_id(load_id: str, table: str, number: int) -> str:
    """A row id like dlt's (14 characters of base64), stable for a given day and row."""
    digest = hashlib.blake2b(f"{load_id}:{table}:{number}".encode(), digest_size=10).digest()
    return base64.b64encode(digest).decode().rstrip("=")
