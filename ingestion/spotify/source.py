"""dlt source for the Spotify Web API: playlists, their entries, and the artists and albums on them.

Every record is the API object exactly as Spotify returned it, in a `payload`
JSON column, next to the keys we need to merge on and the time we observed it.
The same code reads the 2026 API (`/items`, entries under `item`, no batch
endpoints) and the legacy one (`/tracks`, entries under `track`, batch endpoints).

    playlists ─► playlist_entries          artists, albums
    (resource)   (transformer)             (resources: enrichment, after the entries)

It asks only what changed since the lake last saw it (known.py reads that back):

- every playlist object, once per run: it carries the `snapshot_id` and the first
  page of entries, and lands as today's observation;
- the remaining pages only of a snapshot whose entries are not all in the lake;
- artists and albums only when never fetched, or fetched longer ago than
  `refresh_after_days`.

A 429 whose Retry-After is above the cap, or a host that does not answer, stops
every further request of the run at once (the breaker remembers the ban for later
runs); what was fetched still lands. An answer that cannot be used (bodies.py) is
handed to `set_aside` (the orchestration puts it in the lake's quarantine) and
fails only what it was for: one playlist, or one artist or album. Paging follows
only safe `next` links (paging.py). What the resources share during one run (the
client, what is known, what went wrong) lives in one `Extraction` object.
"""

import logging
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import dlt
import spotipy
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.typing import TSecretStrValue
from dlt.sources import DltResource

from ingestion.errors import (
    ConfigurationError,
    Forbidden,
    NotFound,
    RateLimited,
    SpotifyApiError,
    Unreachable,
    UnusableResponse,
)
from ingestion.raw_tables import table_hints
from ingestion.spotify import settings
from ingestion.spotify.breaker import RateLimitBreaker
from ingestion.spotify.client import (
    REQUEST_KINDS,
    RequestStats,
    SpotifyCredentials,
    get_json,
    make_client,
)
from ingestion.spotify.known import ENRICHED_KINDS, Known, entry_item, referenced_ids
from ingestion.spotify.paging import follow_pages, pages_after
from ingestion.spotify.references import parse_playlist_ids, split_mine

logger = logging.getLogger(__name__)

# Errors that mean "this object is not available to us", not "the API is broken".
UNAVAILABLE = (NotFound, Forbidden)
_BATCH_LIMITS = {"artists": settings.ARTISTS_BATCH_LIMIT, "albums": settings.ALBUMS_BATCH_LIMIT}
_PROGRESS_STEPS = 4  # enrichment progress lines per kind: 25 %, 50 %, 75 %, 100 %
# Enrichment goes on past a failed artist or album; this many in a row stop it.
ENRICHMENT_FAILURES_IN_A_ROW = 3


@dataclass(frozen=True)
class ExtractProblem:
    """Something the run could not fetch. kind: playlist, enrichment or run (all stopped)."""

    kind: str
    message: str


@dataclass
class ExtractReport:
    """What one extraction did, filled in while dlt iterates the resources.

    `lower_bound` is the fewest requests that could have fetched what this run
    needed (per kind, see the module's docstring); `ratio` compares the requests
    made with it.
    """

    stats: RequestStats = field(default_factory=RequestStats)
    failures: list[str] = field(default_factory=list)
    problems: list[ExtractProblem] = field(default_factory=list)
    playlists_read: int = 0
    playlists_unchanged: int = 0
    entries_read: int = 0
    api_mode: str = ""
    lower_bound: dict[str, int] = field(default_factory=dict)
    # kind → [fetched, needed]
    enrichment: dict[str, list[int]] = field(default_factory=dict)
    # When the run stopped asking: the breaker tripped until then.
    rate_limited_until: datetime | None = None
    # Where answers that could not be used were set aside (the lake's quarantine).
    quarantined: list[str] = field(default_factory=list)

    @property
    def lower_bound_total(self) -> int:
        return sum(self.lower_bound.values())

    @property
    def ratio(self) -> float | None:
        bound = self.lower_bound_total
        return self.stats.requests / bound if bound else None

    def requests_line(self) -> str:
        """`token 1, playlist 5, … (lower bound 6, ratio 1.00)` for the summary."""
        kinds = ", ".join(
            f"{kind} {self.stats.by_kind[kind]}"
            for kind in REQUEST_KINDS
            if self.stats.by_kind.get(kind)
        )
        ratio = f", ratio {self.ratio:.2f}" if self.ratio is not None else ""
        return f"{kinds or 'none'} (lower bound {self.lower_bound_total}{ratio})"

    def heading(self) -> str:
        """What is missing, in one line: for ExtractionIncompleteError."""
        counts = {kind: 0 for kind in ("run", "playlist", "enrichment")}
        for problem in self.problems:
            counts[problem.kind] += 1
        parts = []
        if counts["run"]:
            parts.append("the run stopped early")
        if counts["playlist"]:
            parts.append(f"{counts['playlist']} playlist(s) could not be read")
        if counts["enrichment"]:
            parts.append("the enrichment (artists, albums) is incomplete")
        if not (self.playlists_read or self.entries_read):
            return "; ".join(parts) + "; nothing was extracted"
        return "; ".join(parts) + "; what was fetched was kept in the lake"


@dataclass
class Extraction:
    """The state one run's resources share: the client, what is known, the report."""

    client: spotipy.Spotify
    playlist_ids: list[str]
    api_mode: str
    observed_at: str
    report: ExtractReport
    known: Known = field(default_factory=Known)
    breaker: RateLimitBreaker = field(default_factory=lambda: RateLimitBreaker(None))
    mine: bool = False
    refresh_after: timedelta = timedelta(days=30)
    batch_endpoints_available: bool = True
    enrichment_stopped: bool = False
    # Set when the run must not send another request (rate limit ban, host unreachable).
    halted: SpotifyApiError | None = None
    # Artist and album ids the playlists observed this run refer to.
    wanted: dict[str, set[str]] = field(
        default_factory=lambda: {kind: set() for kind in ENRICHED_KINDS}
    )
    # The enrichment starts when every playlist's entries are done.
    playlists_done: bool = False
    playlist_records: int = 0
    entry_readers_done: int = 0
    # set_aside(name, content, reason, source) -> where it went: keeps an unusable answer.
    set_aside: Callable[[str, bytes, str, str], str] | None = None
    # Artists and albums that failed since the last one fetched: [(id, error)].
    failing_in_a_row: list[tuple[str, SpotifyApiError]] = field(default_factory=list)

    def fail(self, message: str, kind: str = "playlist") -> None:
        self.report.failures.append(message)
        self.report.problems.append(ExtractProblem(kind, message))
        if kind != "run":  # a stopped run is said once, by the error the step raises
            logger.error("%s", message)

    def need(self, kind: str, count: int) -> None:
        """Add to the lower bound: requests of `kind` this run cannot do without."""
        self.report.lower_bound[kind] = self.report.lower_bound.get(kind, 0) + count

    @property
    def entries_done(self) -> bool:
        return self.playlists_done and self.entry_readers_done >= self.playlist_records

    def get(self, path: str, what: str, **params: Any) -> dict[str, Any]:
        """GET through the client, unless the run was halted; trips the breaker on a long 429."""
        if self.halted is not None:
            raise self.halted
        if not self.report.lower_bound.get("token"):
            self.need("token", 1)  # the first request of a run gets a token first
        try:
            return get_json(self.client, path, what, **params)
        except RateLimited as error:
            until = self.breaker.trip(error.retry_after)
            self.report.rate_limited_until = until
            self.halted = error
            self.fail(
                f"{error} Stopped every further request of this run: Spotify allows requests "
                f"again at {until:%Y-%m-%d %H:%M:%S} UTC, and runs before then will not call it.",
                kind="run",
            )
            raise
        except Unreachable as error:
            self.halted = error
            self.fail(str(error), kind="run")
            raise
        except UnusableResponse as error:
            raise self._set_aside(error) from None

    def _set_aside(self, error: UnusableResponse) -> UnusableResponse:
        """Keep an unusable answer in the quarantine; the error then says where it is."""
        if self.set_aside is None or error.content is None:
            return error
        try:
            where = self.set_aside(
                _quarantine_name(error.url), error.content, str(error), error.url
            )
        except OSError as problem:  # a full disk must not cost the rest of the run
            kept = f"It could not be set aside ({problem.strerror or problem})."
        else:
            self.report.quarantined.append(where)
            kept = f"It was set aside in {where}."
        return UnusableResponse(
            f"{error} {kept}",
            reason=error.reason,
            content=error.content,
            url=error.url,
        )

    @property
    def api_base_url(self) -> str:
        return self.client.prefix

    def enrichment_failed(self, what: str, error: SpotifyApiError) -> None:
        """An artist or album (or a batch) failed: said later, alone or as one stop message."""
        self.failing_in_a_row.append((what, error))
        if len(self.failing_in_a_row) < ENRICHMENT_FAILURES_IN_A_ROW:
            return
        streak, self.failing_in_a_row = self.failing_in_a_row, []
        self.enrichment_stopped = True
        self.fail(
            f"enrichment stopped after {len(streak)} failures in a row "
            f"({', '.join(name for name, _ in streak)}); the last: {streak[-1][1]} The "
            "playlists and their entries landed; the next run fetches the missing artists "
            "and albums.",
            kind="enrichment",
        )

    def report_pending_failures(self) -> None:
        """Failures not followed by more in a row: each is one enrichment failure."""
        streak, self.failing_in_a_row = self.failing_in_a_row, []
        for what, error in streak:
            self.fail(
                f"enrichment failure ({what}): {error} The playlists and their entries "
                "landed; the next run fetches it again.",
                kind="enrichment",
            )

    def stale(self, kind: str, object_id: str) -> bool:
        """True when an artist or album was never fetched, or too long ago."""
        fetched = self.known.fetched_at(kind, object_id)
        if fetched is None:
            return True
        if fetched.tzinfo is None:
            fetched = fetched.replace(tzinfo=UTC)
        return fetched < datetime.fromisoformat(self.observed_at) - self.refresh_after


@dlt.resource(**table_hints("playlists"))
def read_playlists(run: Extraction) -> Iterator[dict[str, Any]]:
    """GET /playlists/{id} for each configured playlist; a failing one does not stop the others.

    Every playlist read lands as today's observation, changed or not.
    """
    playlist_ids = list(run.playlist_ids)
    if run.mine:
        try:
            playlist_ids += [p for p in _my_playlist_ids(run) if p not in playlist_ids]
        except SpotifyApiError as error:
            if run.halted is None:
                run.fail(f"your playlists (GET /me/playlists): {error}")
    for playlist_id in playlist_ids:
        if run.halted is not None:
            break
        run.need("playlist", 1)
        try:
            playlist = run.get(
                f"playlists/{playlist_id}",
                f"reading playlist {playlist_id}",
                additional_types="track,episode",
            )
        except SpotifyApiError as error:
            if run.halted is None:
                run.fail(_advice(playlist_id, error))
            continue
        run.report.playlists_read += 1
        run.playlist_records += 1
        yield {
            "playlist_id": playlist.get("id") or playlist_id,
            "snapshot_id": playlist.get("snapshot_id") or "",
            "observed_at": run.observed_at,
            "payload": playlist,
        }
    run.playlists_done = True


@dlt.transformer(**table_hints("playlist_entries"))
def read_playlist_entries(
    playlist: dict[str, Any], run: Extraction
) -> Iterator[list[dict[str, Any]]]:
    """The entries of a playlist's snapshot, page by page, with their 0-based positions.

    Nothing for a snapshot whose entries are all in the lake already; else the first
    page comes from the playlist object and only the pages after it are requested.
    """
    try:
        yield from _snapshot_entries(playlist, run)
    finally:
        run.entry_readers_done += 1


@dlt.resource(**table_hints("artists"))
def read_artists(run: Extraction) -> Iterator[dict[str, Any] | None]:
    """The full artist objects the playlists refer to, when never fetched or stale."""
    yield from _enrich(run, "artists")


@dlt.resource(**table_hints("albums"))
def read_albums(run: Extraction) -> Iterator[dict[str, Any] | None]:
    """The full album objects the playlists refer to, when never fetched or stale."""
    yield from _enrich(run, "albums")


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
    mine: bool = False,
    max_retry_after_seconds: float = 60.0,
    max_wait_seconds: float = 300.0,
    refresh_after_days: float = 30.0,
    request_timeout_seconds: float = 20.0,
    api_base_url: str | None = None,
    accounts_base_url: str | None = None,
    observed_at: datetime | None = None,
    report: ExtractReport | None = None,
    known: Any = None,
    state_dir: Any = None,
    set_aside: Any = None,
) -> list[DltResource]:
    """Read the configured playlists.

    Args:
        playlists: Share URLs, `spotify:playlist:` URIs or ids; `mine` stands for the
            user's own and collaborative playlists (GET /me/playlists).
        client_id, client_secret: the app's credentials.
        refresh_token: a user's refresh token (from `spotify-elt auth`); since 2026
            development-mode apps need it to read `/playlists/{id}/items`.
        api_mode: `current` (2026: /items, single-object endpoints), `legacy`
            (/tracks, batch endpoints) or `auto` (try current, fall back).
        enrich: fetch the full artist and album objects of every track.
        mine: also read the user's own and collaborative playlists.
        max_retry_after_seconds: a 429 whose Retry-After is longer stops the run's
            requests and trips the rate-limit breaker; shorter ones are waited out...
        max_wait_seconds: ...while the run has waited less than this in total.
        refresh_after_days: fetch an artist or album again after this many days.
        request_timeout_seconds: how long one request may take to connect or to answer;
            a slower answer is asked for again, like a 5xx.
        api_base_url, accounts_base_url: default to SPOTIFY_API_BASE_URL and
            SPOTIFY_ACCOUNTS_BASE_URL, then to Spotify's own.
        known: what the lake holds (a `Known`, or a function that reads it, called
            after the breaker's check): it is not asked for again.
        state_dir: where the rate-limit breaker keeps its state file.
        set_aside: `set_aside(name, content, reason, source) -> location` keeps an
            answer that cannot be used (the orchestration passes the lake's quarantine).
    """
    if api_mode not in settings.API_MODES:
        raise ConfigurationError(
            f"api_mode must be one of {', '.join(settings.API_MODES)}, not {api_mode!r}."
        )
    state = Path(state_dir) if state_dir is not None else None
    breaker = RateLimitBreaker.in_state_dir(state)
    breaker.check()  # an earlier run's ban still lasts: no request at all
    wants_mine, references = split_mine(playlists)
    mine = mine or wants_mine
    playlist_ids = parse_playlist_ids(references) if references or not mine else []
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
        max_wait_total=max_wait_seconds,
        timeout=request_timeout_seconds,
    )
    if callable(known):
        known = known()
    run = Extraction(
        client=client,
        playlist_ids=playlist_ids,
        api_mode=api_mode,
        observed_at=(observed_at or datetime.now(UTC)).isoformat(),
        report=report,
        known=known or Known(),
        breaker=breaker,
        mine=mine,
        refresh_after=timedelta(days=refresh_after_days),
        batch_endpoints_available=api_mode != "current",
        set_aside=set_aside,
    )
    playlist_objects = read_playlists(run)
    entries = playlist_objects | read_playlist_entries(run)
    resources = [playlist_objects, entries]
    if enrich:
        resources += [read_artists(run), read_albums(run)]
    return resources


def configured_source(**source_args: Any) -> Any:
    """`spotify_source` with dlt's missing-configuration error turned into advice."""
    try:
        return spotify_source(**source_args)
    except ConfigFieldMissingException as error:
        missing = ", ".join(f"sources.spotify.{name}" for name in error.fields)
        raise ConfigurationError(
            f"Missing configuration: {missing}; set it in .dlt/config.toml (playlists) or "
            ".dlt/secrets.toml (client_id, client_secret), or as environment variables "
            "such as SOURCES__SPOTIFY__CLIENT_ID; see README, 'Using the real Spotify API'."
        ) from None


def _my_playlist_ids(run: Extraction) -> list[str]:
    """The user's own and collaborative playlists, from every page of GET /me/playlists."""
    me = run.get("me", "reading your user profile (/me)")
    what = "listing your playlists (/me/playlists)"
    run.need("me", 1)
    first = run.get("me/playlists", what, limit=settings.MY_PLAYLISTS_PAGE_LIMIT, offset=0)
    run.need("me", pages_after(first, settings.MY_PLAYLISTS_PAGE_LIMIT) + 1)
    ids: list[str] = []
    for page in _follow(run, first, what):
        for playlist in page["items"]:
            if not isinstance(playlist, dict) or not playlist.get("id"):
                continue
            owner = (playlist.get("owner") or {}).get("id")
            # /me/playlists also lists followed playlists, which a development-mode app
            # cannot read the entries of: only the user's own and collaborative ones.
            if owner == me.get("id") or playlist.get("collaborative"):
                ids.append(playlist["id"])
    logger.info("your playlists: %d own or collaborative", len(ids))
    return ids


def _embedded_page(playlist: dict[str, Any], api_mode: str) -> tuple[dict | None, int]:
    """The first page of entries inside a playlist object, and the page size after it."""
    keys = {
        "current": (("items", settings.ITEMS_PAGE_LIMIT),),
        "legacy": (("tracks", settings.TRACKS_PAGE_LIMIT),),
    }.get(api_mode, (("items", settings.ITEMS_PAGE_LIMIT), ("tracks", settings.TRACKS_PAGE_LIMIT)))
    for key, limit in keys:
        page = playlist.get(key)
        if isinstance(page, dict) and isinstance(page.get("items"), list):
            return page, limit
    return None, settings.ITEMS_PAGE_LIMIT


def _snapshot_entries(playlist: dict[str, Any], run: Extraction) -> Iterator[list[dict[str, Any]]]:
    playlist_id, snapshot_id = playlist["playlist_id"], playlist["snapshot_id"]
    first, limit = _embedded_page(playlist["payload"], run.api_mode)
    what = f"reading the entries of playlist {playlist_id}"
    if first is not None:
        total = first.get("total") if isinstance(first.get("total"), int) else 0
        if run.known.landed(playlist_id, snapshot_id, total):
            run.report.playlists_unchanged += 1
            for kind, ids in run.known.references(playlist_id, snapshot_id).items():
                run.wanted[kind] |= ids
            logger.info("playlist %s: unchanged, %d entries in the lake", playlist_id, total)
            return
        run.need("entries", pages_after(first, limit))
        pages = _follow(run, first, what)
    else:
        # No entries in the object (an app token on the 2026 API): ask the endpoint.
        run.need("entries", 1)
        pages = _entry_pages(run, playlist_id, what)
    position = 0
    try:
        for page in pages:
            start = page.get("offset")
            position = start if isinstance(start, int) else position
            records = []
            for entry in page["items"]:
                for kind, ids in referenced_ids(entry_item(entry)).items():
                    run.wanted[kind] |= ids
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
    except SpotifyApiError as error:
        # The pages before landed; the next run sees the snapshot incomplete and reads it again.
        if run.halted is None:
            run.fail(_advice(playlist_id, error))
        return
    logger.info("playlist %s: %d entries (snapshot changed)", playlist_id, position)


def _follow(run: Extraction, first: dict[str, Any], what: str) -> Iterator[dict[str, Any]]:
    """A first page and the pages after it, through the `next` links that are safe to follow."""
    return follow_pages(lambda url: run.get(url, what), first, what, run.api_base_url)


def _entry_pages(run: Extraction, playlist_id: str, what: str) -> Iterator[dict]:
    """Pages of a playlist's entries from /items (2026) or /tracks (legacy), from offset 0."""
    items = (f"playlists/{playlist_id}/items", settings.ITEMS_PAGE_LIMIT)
    tracks = (f"playlists/{playlist_id}/tracks", settings.TRACKS_PAGE_LIMIT)
    if run.api_mode == "legacy":
        yield from _follow(run, run.get(tracks[0], what, limit=tracks[1], offset=0), what)
        return
    try:
        first = run.get(items[0], what, limit=items[1], offset=0, additional_types="track,episode")
    except UNAVAILABLE as error:
        if run.api_mode == "current":
            raise
        # Extended-quota apps and older API versions still serve /tracks.
        logger.info("/items unavailable for %s, trying the legacy /tracks", playlist_id)
        try:
            legacy_first = run.get(tracks[0], what, limit=tracks[1], offset=0)
        except SpotifyApiError:
            raise error from None
        yield from _follow(run, legacy_first, what)
        return
    yield from _follow(run, first, what)


def _enrich(run: Extraction, kind: str) -> Iterator[dict[str, Any] | None]:
    # Wait (yielding nothing, which dlt skips) until every playlist's entries are read,
    # so each id is asked for once and the batches are full.
    while not run.entries_done:
        yield None
    if run.halted is not None or run.enrichment_stopped:
        return
    needed = sorted(i for i in run.wanted[kind] if run.stale(kind, i))
    progress = run.report.enrichment.setdefault(kind, [0, len(needed)])
    if not needed:
        logger.info("%s: all %d already in the lake", kind, len(run.wanted[kind]))
        return
    logger.info(
        "%s: fetching %d of the %d the playlists refer to", kind, len(needed), len(run.wanted[kind])
    )
    # Enrichment must never cost the entries already read: on a lasting error we
    # record it, stop enriching, and let the run land what it has.
    try:
        for record in _fetch_objects(run, kind, needed):
            progress[0] += 1
            if _progress_step(progress[0], len(needed)):
                logger.info("%s: %d/%d fetched", kind, progress[0], len(needed))
            yield record
    except SpotifyApiError as error:
        run.enrichment_stopped = True
        if run.halted is None:
            run.fail(
                f"enrichment failure ({kind}): {error} The playlists and their entries landed; "
                "the next run fetches the missing ones.",
                kind="enrichment",
            )
    finally:
        run.report_pending_failures()
        batches = run.batch_endpoints_available
        limit = _BATCH_LIMITS[kind]
        run.need(kind, math.ceil(len(needed) / limit) if batches else len(needed))


def _progress_step(done: int, total: int) -> bool:
    step = max(1, math.ceil(total / _PROGRESS_STEPS))
    return done == total or done % step == 0


def _fetch_objects(run: Extraction, kind: str, ids: list[str]) -> Iterator[dict[str, Any]]:
    """The objects, in batches (legacy) or one by one; a failed one does not stop the rest."""
    key = "artist_id" if kind == "artists" else "album_id"
    batch_limit = _BATCH_LIMITS[kind]
    remaining = list(ids)
    while remaining and run.batch_endpoints_available and not run.enrichment_stopped:
        batch, remaining = remaining[:batch_limit], remaining[batch_limit:]
        try:
            body = run.get(kind, f"reading {kind} in batches", ids=",".join(batch))
        except UNAVAILABLE:
            if run.api_mode != "auto":
                raise
            logger.info("batch endpoint /%s unavailable: fetching one by one", kind)
            run.batch_endpoints_available = False
            remaining = batch + remaining
            break
        except SpotifyApiError as error:
            if run.halted is not None:
                raise
            run.enrichment_failed(f"{len(batch)} {kind} from {batch[0]}", error)
            continue
        run.report_pending_failures()
        for obj in body.get(kind) or []:
            if isinstance(obj, dict) and obj.get("id"):
                yield {key: obj["id"], "observed_at": run.observed_at, "payload": obj}
    for object_id in remaining:
        if run.enrichment_stopped:
            return
        try:
            obj = run.get(f"{kind}/{object_id}", f"reading {kind[:-1]} {object_id}")
        except UNAVAILABLE as error:
            # An artist or album that vanished must not cost the whole run.
            logger.warning("%s", error)
            continue
        except SpotifyApiError as error:
            if run.halted is not None:
                raise
            run.enrichment_failed(f"{kind[:-1]} {object_id}", error)
            continue
        run.report_pending_failures()
        yield {key: obj.get("id") or object_id, "observed_at": run.observed_at, "payload": obj}


def _quarantine_name(url: str) -> str:
    """`playlists_<id>_items.offset=100.<time>.json`: what was asked, unique per answer."""
    parts = urlsplit(url)
    name = re.sub(r"[^A-Za-z0-9]+", "_", parts.path.split("/v1/", 1)[-1]).strip("_")
    offset = dict(parse_qsl(parts.query)).get("offset")
    at = f".offset={offset}" if offset and offset.isdigit() else ""
    return f"{name[:120] or 'answer'}{at}.{datetime.now(UTC):%H%M%S%f}.json"


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
    elif isinstance(error, UnusableResponse):
        message += " The other playlists landed; the next run asks for this one again."
    return f"{playlist_id}: {message}"
