"""dlt source for the Spotify Web API: playlists, their entries, and the artists and albums on them.

Every record is the API object exactly as Spotify returned it, in a `payload`
JSON column, next to the keys we need to merge on and the time we observed it.
The same code reads the 2026 API (`/items`, entries under `item`, no batch
endpoints) and the legacy one (`/tracks`, entries under `track`, batch endpoints).

    playlists ─► playlist_entries ─┬─► artists
    (resource)   (transformer)     └─► albums     (transformers: enrichment)

What the resources share during one run (the client, ids already fetched, what
went wrong) lives in one `Extraction` object passed to each of them.
"""

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dlt
import spotipy
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.typing import TSecretStrValue
from dlt.sources import DltResource

from ingestion.errors import ConfigurationError, Forbidden, NotFound, SpotifyApiError
from ingestion.raw_tables import table_hints
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

# Errors that mean "this object is not available to us", not "the API is broken".
UNAVAILABLE = (NotFound, Forbidden)


@dataclass
class ExtractReport:
    """What one extraction did, filled in while dlt iterates the resources."""

    stats: RequestStats = field(default_factory=RequestStats)
    failures: list[str] = field(default_factory=list)
    playlists_read: int = 0
    entries_read: int = 0
    api_mode: str = ""


@dataclass
class Extraction:
    """The state one run's resources share: the client, the ids fetched, the report."""

    client: spotipy.Spotify
    playlist_ids: list[str]
    api_mode: str
    observed_at: str
    report: ExtractReport
    # Each artist and album is fetched once per run.
    seen: dict[str, set[str]] = field(default_factory=lambda: {"artists": set(), "albums": set()})
    batch_endpoints_available: bool = True
    enrichment_stopped: bool = False

    def fail(self, message: str) -> None:
        self.report.failures.append(message)
        logger.error("%s", message)


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


@dlt.resource(**table_hints("playlists"))
def read_playlists(run: Extraction) -> Iterator[dict[str, Any]]:
    """GET /playlists/{id} for each configured playlist; a failing one does not stop the others."""
    for playlist_id in run.playlist_ids:
        try:
            playlist = get_json(
                run.client,
                f"playlists/{playlist_id}",
                f"reading playlist {playlist_id}",
                additional_types="track,episode",
            )
        except SpotifyApiError as error:
            run.fail(_advice(playlist_id, error))
            continue
        run.report.playlists_read += 1
        yield {
            "playlist_id": playlist.get("id") or playlist_id,
            "snapshot_id": playlist.get("snapshot_id") or "",
            "observed_at": run.observed_at,
            "payload": playlist,
        }


@dlt.transformer(**table_hints("playlist_entries"))
def read_playlist_entries(
    playlist: dict[str, Any], run: Extraction
) -> Iterator[list[dict[str, Any]]]:
    """Every entry of a playlist's snapshot, page by page, with its 0-based position."""
    playlist_id, snapshot_id = playlist["playlist_id"], playlist["snapshot_id"]
    try:
        pages = list(_entry_pages(run.client, playlist_id, run.api_mode))
    except SpotifyApiError as error:
        run.fail(_advice(playlist_id, error))
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
                    "observed_at": run.observed_at,
                    "payload": entry,
                }
            )
            position += 1
        run.report.entries_read += len(records)
        yield records
    logger.info("playlist %s: %d entries", playlist_id, position)


@dlt.transformer(**table_hints("artists"))
def read_artists(records: list[dict[str, Any]], run: Extraction) -> Iterator[dict[str, Any]]:
    """GET the full artist objects of the entries' tracks, each once per run."""
    yield from _enrich(run, "artists", records, settings.ARTISTS_BATCH_LIMIT)


@dlt.transformer(**table_hints("albums"))
def read_albums(records: list[dict[str, Any]], run: Extraction) -> Iterator[dict[str, Any]]:
    """GET the full album objects of the entries' tracks, each once per run."""
    yield from _enrich(run, "albums", records, settings.ALBUMS_BATCH_LIMIT)


@dlt.source(name="spotify", max_table_nesting=0)
def spotify_source(
    # Any, not list[str] | str: dlt does not inject into union types. A list (toml),
    # a JSON list or a comma-separated string (environment) all work.
    playlists: Any = dlt.config.value,
    client_id: str = dlt.secrets.value,
    client_secret: str = dlt.secrets.value,
    # A secret hint, so dlt keeps its value out of traces and `dlt pipeline … trace`.
    refresh_token: TSecretStrValue | None = None,
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
        raise ConfigurationError(
            f"api_mode must be one of {', '.join(settings.API_MODES)}, not {api_mode!r}."
        )
    report = report if report is not None else ExtractReport()
    report.api_mode = api_mode
    client = make_client(
        SpotifyCredentials(client_id, client_secret, refresh_token or None),
        api_base_url=api_base_url
        or os.environ.get("SPOTIFY_API_BASE_URL", settings.DEFAULT_API_BASE_URL),
        accounts_base_url=accounts_base_url
        or os.environ.get("SPOTIFY_ACCOUNTS_BASE_URL", settings.DEFAULT_ACCOUNTS_BASE_URL),
        stats=report.stats,
        max_retry_after=max_retry_after_seconds,
    )
    run = Extraction(
        client=client,
        playlist_ids=parse_playlist_ids(playlists),
        api_mode=api_mode,
        observed_at=(observed_at or datetime.now(UTC)).isoformat(),
        report=report,
        batch_endpoints_available=api_mode != "current",
    )
    playlist_objects = read_playlists(run)
    entries = playlist_objects | read_playlist_entries(run)
    resources = [playlist_objects, entries]
    if enrich:
        resources += [entries | read_artists(run), entries | read_albums(run)]
    return resources


def configured_source(**source_args: Any) -> Any:
    """`spotify_source` with dlt's missing-configuration error turned into advice."""
    try:
        return spotify_source(**source_args)
    except ConfigFieldMissingException as error:
        missing = ", ".join(f"sources.spotify.{name}" for name in error.fields)
        raise ConfigurationError(
            f"Missing configuration: {missing}. Set it in .dlt/config.toml (playlists) or "
            ".dlt/secrets.toml (client_id, client_secret), or as environment variables "
            "such as SOURCES__SPOTIFY__CLIENT_ID; see README, 'Using the real Spotify API'."
        ) from None


def _enrich(
    run: Extraction, kind: str, records: list[dict[str, Any]], batch_limit: int
) -> Iterator[dict[str, Any]]:
    # Enrichment must never cost the entries already read: on a lasting error we
    # record it, stop enriching, and let the run land what it has.
    if run.enrichment_stopped:
        return
    found: set[str] = set()
    for record in records:
        found |= referenced_ids(entry_item(record["payload"]))[kind]
    new = sorted(found - run.seen[kind])
    run.seen[kind].update(new)
    try:
        yield from _fetch_objects(run, kind, new, batch_limit)
    except SpotifyApiError as error:
        run.enrichment_stopped = True
        run.fail(f"{kind}: {error} The entries landed; rerun to enrich.")


def _fetch_objects(
    run: Extraction, kind: str, ids: list[str], batch_limit: int
) -> Iterator[dict[str, Any]]:
    key = "artist_id" if kind == "artists" else "album_id"
    remaining = list(ids)
    while remaining and run.batch_endpoints_available:
        batch = remaining[:batch_limit]
        try:
            body = get_json(run.client, kind, f"reading {kind} in batches", ids=",".join(batch))
        except UNAVAILABLE:
            if run.api_mode != "auto":
                raise
            logger.info("batch endpoint /%s unavailable: fetching one by one", kind)
            run.batch_endpoints_available = False
            break
        remaining = remaining[batch_limit:]
        for obj in body.get(kind) or []:
            if isinstance(obj, dict) and obj.get("id"):
                yield {key: obj["id"], "observed_at": run.observed_at, "payload": obj}
    for object_id in remaining:
        try:
            obj = get_json(run.client, f"{kind}/{object_id}", f"reading {kind[:-1]} {object_id}")
        except UNAVAILABLE as error:
            # An artist or album that vanished must not cost the whole run.
            logger.warning("%s", error)
            continue
        yield {key: obj.get("id") or object_id, "observed_at": run.observed_at, "payload": obj}


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
    except UNAVAILABLE as error:
        if api_mode == "current":
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
    if isinstance(error, NotFound) and playlist_id.startswith(settings.EDITORIAL_PLAYLIST_PREFIXES):
        message += (
            " This is a Spotify-owned editorial or algorithmic playlist: since 27 Nov 2024 "
            "Spotify answers 404 for them to new and development-mode apps. Copy its songs "
            "into a playlist you own, or import saved archives with `spotify-elt import-raw`."
        )
    elif isinstance(error, NotFound):
        message += " Check the playlist id, and that the playlist is public or yours."
    return f"{playlist_id}: {message}"
