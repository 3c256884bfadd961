"""dlt source for the Spotify Web API: playlists, their entries, and the artists and albums on them.

Every record is the API object exactly as Spotify returned it, in a `payload`
JSON column, next to the keys we need to merge on and the time we observed it.
The same code reads the 2026 API (`/items`, entries under `item`, no batch
endpoints) and the legacy one (`/tracks`, entries under `track`, batch endpoints).
"""

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dlt
import spotipy
from dlt.sources import DltResource

from ingestion.errors import SpotifyApiError
from ingestion.spotify import settings
from ingestion.spotify.client import (
    RequestStats,
    SpotifyCredentials,
    follow_pages,
    get_json,
    iter_pages,
    make_client,
)
from ingestion.spotify.references import parse_playlist_ids

logger = logging.getLogger(__name__)


@dataclass
class ExtractReport:
    """What one extraction did, filled in while dlt iterates the resources."""

    stats: RequestStats = field(default_factory=RequestStats)
    failures: list[str] = field(default_factory=list)
    playlists_read: int = 0
    entries_read: int = 0
    api_mode: str = ""


def entry_item(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The track or episode of a playlist entry, in the 2026 (`item`) or legacy (`track`) shape."""
    item = entry.get("item")
    if item is None:
        item = entry.get("track")
    return item if isinstance(item, dict) else None


def referenced_ids(item: dict[str, Any] | None) -> tuple[set[str], set[str]]:
    """Artist and album ids a track refers to (its artists and its album's artists)."""
    artists: set[str] = set()
    albums: set[str] = set()
    if not item or item.get("type", "track") != "track" or item.get("is_local"):
        return artists, albums
    album = item.get("album") or {}
    if album.get("id"):
        albums.add(album["id"])
    for artist in [*(item.get("artists") or []), *(album.get("artists") or [])]:
        if isinstance(artist, dict) and artist.get("id"):
            artists.add(artist["id"])
    return artists, albums


def _unavailable(error: SpotifyApiError) -> bool:
    return "Not found" in str(error) or "Forbidden" in str(error)


@dlt.source(name="spotify", max_table_nesting=0)
def spotify_source(
    # Any, not list[str] | str: dlt does not inject into union types. A list (toml),
    # a JSON list or a comma-separated string (environment) all work.
    playlists: Any = dlt.config.value,
    client_id: str = dlt.secrets.value,
    client_secret: str = dlt.secrets.value,
    refresh_token: str | None = None,
    api_mode: str = "auto",
    enrich: bool = True,
    max_retry_after_seconds: float = 60.0,
    api_base_url: str | None = None,
    accounts_base_url: str | None = None,
    observed_at: datetime | None = None,
    report: ExtractReport | None = None,
) -> list[DltResource]:
    """Read the configured playlists.

    Args:
        playlists: Share URLs, `spotify:playlist:` URIs or ids.
        client_id, client_secret: the app's credentials.
        refresh_token: a user's refresh token (from `spotify-elt auth`); since 2026
            development-mode apps need it to read `/playlists/{id}/items`.
        api_mode: `current` (2026: /items, single-object endpoints), `legacy`
            (/tracks, batch endpoints) or `auto` (try current, fall back).
        enrich: fetch the full artist and album objects of every track.
        max_retry_after_seconds: give up on a 429 whose Retry-After is longer.
        api_base_url, accounts_base_url: default to SPOTIFY_API_BASE_URL and
            SPOTIFY_ACCOUNTS_BASE_URL, then to Spotify's own.
    """
    if api_mode not in settings.API_MODES:
        raise ValueError(f"api_mode must be one of {settings.API_MODES}, not {api_mode!r}")
    playlist_ids = parse_playlist_ids(playlists)
    report = report if report is not None else ExtractReport()
    report.api_mode = api_mode
    observed = (observed_at or datetime.now(UTC)).isoformat()
    client = make_client(
        SpotifyCredentials(client_id, client_secret, refresh_token or None),
        api_base_url=api_base_url
        or os.environ.get("SPOTIFY_API_BASE_URL", settings.DEFAULT_API_BASE_URL),
        accounts_base_url=accounts_base_url
        or os.environ.get("SPOTIFY_ACCOUNTS_BASE_URL", settings.DEFAULT_ACCOUNTS_BASE_URL),
        stats=report.stats,
        max_retry_after=max_retry_after_seconds,
    )
    # Shared across the run so that every artist and album is fetched once.
    seen_artists: set[str] = set()
    seen_albums: set[str] = set()
    batch_endpoints = {"available": api_mode != "current"}
    enrichment = {"stopped": False}

    @dlt.resource(**settings.table_hints("playlists"))
    def playlists_resource() -> Iterator[dict[str, Any]]:
        for playlist_id in playlist_ids:
            try:
                playlist = get_json(
                    client,
                    f"playlists/{playlist_id}",
                    f"reading playlist {playlist_id}",
                    additional_types="track,episode",
                )
            except SpotifyApiError as error:
                report.failures.append(_advice(playlist_id, error))
                logger.error("%s", report.failures[-1])
                continue
            report.playlists_read += 1
            yield {
                "playlist_id": playlist.get("id") or playlist_id,
                "snapshot_id": playlist.get("snapshot_id") or "",
                "observed_at": observed,
                "payload": playlist,
            }

    @dlt.transformer(data_from=playlists_resource, **settings.table_hints("playlist_entries"))
    def playlist_entries(playlist: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        playlist_id, snapshot_id = playlist["playlist_id"], playlist["snapshot_id"]
        try:
            pages = list(_entry_pages(client, playlist_id, api_mode))
        except SpotifyApiError as error:
            report.failures.append(_advice(playlist_id, error))
            logger.error("%s", report.failures[-1])
            return
        position = 0
        for page in pages:
            records = []
            for entry in page["items"]:
                records.append(
                    {
                        "playlist_id": playlist_id,
                        "snapshot_id": snapshot_id,
                        "position": position,
                        "observed_at": observed,
                        "payload": entry,
                    }
                )
                position += 1
            report.entries_read += len(records)
            yield records
        logger.info("playlist %s: %d entries", playlist_id, position)

    def _new_ids(records: list[dict[str, Any]], kind: str, seen: set[str]) -> list[str]:
        found: set[str] = set()
        for record in records:
            artists, albums = referenced_ids(entry_item(record["payload"]))
            found |= artists if kind == "artists" else albums
        new = sorted(found - seen)
        seen.update(new)
        return new

    def _fetch(kind: str, ids: list[str], batch_limit: int) -> Iterator[dict[str, Any]]:
        # Enrichment must never cost the entries already read: on a lasting error we
        # record it, stop enriching, and let the run land what it has.
        try:
            yield from _fetch_objects(kind, ids, batch_limit)
        except SpotifyApiError as error:
            enrichment["stopped"] = True
            report.failures.append(f"{kind}: {error} The entries landed; rerun to enrich.")
            logger.error("%s", report.failures[-1])

    def _fetch_objects(kind: str, ids: list[str], batch_limit: int) -> Iterator[dict[str, Any]]:
        if enrichment["stopped"]:
            return
        key = "artist_id" if kind == "artists" else "album_id"
        remaining = list(ids)
        while remaining and batch_endpoints["available"]:
            batch = remaining[:batch_limit]
            try:
                body = get_json(client, kind, f"reading {kind} in batches", ids=",".join(batch))
            except SpotifyApiError as error:
                if api_mode == "auto" and _unavailable(error):
                    logger.info("batch endpoint /%s unavailable: fetching one by one", kind)
                    batch_endpoints["available"] = False
                    break
                raise
            remaining = remaining[batch_limit:]
            for obj in body.get(kind) or []:
                if isinstance(obj, dict) and obj.get("id"):
                    yield {key: obj["id"], "observed_at": observed, "payload": obj}
        for object_id in remaining:
            try:
                obj = get_json(client, f"{kind}/{object_id}", f"reading {kind[:-1]} {object_id}")
            except SpotifyApiError as error:
                # An artist or album that vanished must not cost the whole run.
                if not _unavailable(error):
                    raise
                logger.warning("%s", error)
                continue
            yield {key: obj.get("id") or object_id, "observed_at": observed, "payload": obj}

    @dlt.transformer(data_from=playlist_entries, **settings.table_hints("artists"))
    def artists(records: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        yield from _fetch(
            "artists", _new_ids(records, "artists", seen_artists), settings.ARTISTS_BATCH_LIMIT
        )

    @dlt.transformer(data_from=playlist_entries, **settings.table_hints("albums"))
    def albums(records: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        yield from _fetch(
            "albums", _new_ids(records, "albums", seen_albums), settings.ALBUMS_BATCH_LIMIT
        )

    resources = [playlists_resource, playlist_entries]
    if enrich:
        resources += [artists, albums]
    return resources


def _entry_pages(client: spotipy.Spotify, playlist_id: str, api_mode: str) -> Iterator[dict]:
    """Pages of a playlist's entries from /items (2026) or /tracks (legacy)."""
    what = f"reading the entries of playlist {playlist_id}"
    items = (f"playlists/{playlist_id}/items", settings.ITEMS_PAGE_LIMIT)
    tracks = (f"playlists/{playlist_id}/tracks", settings.TRACKS_PAGE_LIMIT)
    if api_mode == "legacy":
        yield from iter_pages(client, tracks[0], what, limit=tracks[1], offset=0)
        return
    try:
        first = get_json(
            client, items[0], what, limit=items[1], offset=0, additional_types="track,episode"
        )
    except SpotifyApiError as error:
        if api_mode == "current" or not _unavailable(error):
            raise
        # Extended-quota apps and older API versions still serve /tracks.
        logger.info("/items unavailable for %s, trying the legacy /tracks", playlist_id)
        try:
            yield from iter_pages(client, tracks[0], what, limit=tracks[1], offset=0)
        except SpotifyApiError:
            raise error from None
        return
    yield from follow_pages(client, first, what)


def _advice(playlist_id: str, error: SpotifyApiError) -> str:
    message = str(error)
    if "Not found" in message and playlist_id.startswith(settings.EDITORIAL_PLAYLIST_PREFIXES):
        message += (
            " This is a Spotify-owned editorial or algorithmic playlist: since 27 Nov 2024 "
            "Spotify answers 404 for them to new and development-mode apps. Copy its songs "
            "into a playlist you own, or import saved archives with `spotify-elt import-raw`."
        )
    elif "Not found" in message:
        message += " Check the playlist id, and that the playlist is public or yours."
    return f"{playlist_id}: {message}"
