"""Paging that defends itself: a `next` URL is followed only if it is safe and useful.

A paging object's `next` is an absolute URL, and spotipy sends our bearer token to
whatever URL it is given. So before any request, `next` must stay on the API's
host (scheme, host and port), must move forward (not a page already read, not
back), and the pages after the first may not outnumber what the first page's
`total` and the page size allow. A page without entries that still points further
is refused too. Each refusal keeps the pages before it and says what happened.
"""

import math
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ingestion.errors import MalformedResponse, UnsafePaging
from ingestion.spotify import settings


def pages_after(first: dict[str, Any], limit: int) -> int:
    """How many pages of `limit` entries follow `first`, by its `total` (capped)."""
    total = min(_int(first.get("total")) or 0, settings.MAX_PAGED_ITEMS)
    remaining = total - (_int(first.get("offset")) or 0) - len(first["items"])
    return math.ceil(max(0, remaining) / max(1, limit))


def follow_pages(
    fetch: Callable[[str], dict[str, Any]], first: dict[str, Any], what: str, api_base_url: str
) -> Iterator[dict[str, Any]]:
    """Yield `first` and the pages its `next` links lead to, fetched with `fetch(url)`."""
    origin = urlsplit(api_base_url)
    page = _checked(first, what)
    seen = {_canonical(page["href"])} if isinstance(page.get("href"), str) else set()
    allowed: int | None = None  # pages after the first, fixed by the first page's total
    fetched = 0
    while True:
        yield page
        next_url = page.get("next")
        if not next_url:
            return
        target = urlsplit(next_url) if isinstance(next_url, str) else None
        if target is None or _origin(target) is None or _origin(target) != _origin(origin):
            host = target.netloc if target is not None else repr(next_url)
            raise UnsafePaging(
                f"Spotify's answer while {what} points to its next page on another host "
                f"({host or next_url}): not followed, so the access token stays with "
                f"{origin.netloc}. The pages before were kept; if a proxy rewrites answers, "
                "check it and SPOTIFY_API_BASE_URL.",
                kind="foreign_host",
            )
        if _canonical(next_url) in seen or not _forward(page, target):
            raise UnsafePaging(
                f"Spotify's answer while {what} points back to a page already read "
                f"(offset {_offset(target)}): stopped there instead of reading in a loop. "
                "The pages before were kept; the next run reads it again.",
                kind="not_advancing",
            )
        if allowed is None:
            allowed = pages_after(first, _limit(target) or _int(first.get("limit")) or 1)
        if fetched >= allowed:
            raise UnsafePaging(
                f"Spotify kept offering pages while {what} past what its total of "
                f"{first.get('total')} entries allows ({allowed} page(s) after the first): "
                "stopped there. The pages before were kept; the next run reads it again.",
                kind="past_total",
            )
        seen.add(_canonical(next_url))
        page = _checked(fetch(next_url), what)
        fetched += 1
        answered = _int(page.get("offset"))
        if answered is not None and _offset(target) not in (None, answered):
            raise UnsafePaging(
                f"Spotify answered offset {answered} for offset {_offset(target)} while "
                f"{what}: a page already read, so stopped there instead of reading in a loop. "
                "The pages before were kept; the next run reads it again.",
                kind="not_advancing",
            )
        if not page["items"] and page.get("next"):
            raise UnsafePaging(
                f"Spotify sent a page without entries while {what} that still points to a "
                "next page: stopped there. The pages before were kept; the next run reads "
                "it again.",
                kind="empty_page",
            )


def _origin(parts: Any) -> tuple | None:
    """Scheme, host and port, as a browser compares origins (None: no valid port)."""
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _checked(page: dict[str, Any], what: str) -> dict[str, Any]:
    if not isinstance(page.get("items"), list):
        raise MalformedResponse(f"Spotify sent a page without `items` while {what}.")
    return page


def _canonical(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path.rstrip("/"), tuple(sorted(parse_qsl(parts.query)))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _query_int(target: Any, name: str) -> int | None:
    value = dict(parse_qsl(target.query)).get(name, "")
    return int(value) if value.isdigit() else None


def _offset(target: Any) -> int | None:
    return _query_int(target, "offset")


def _limit(target: Any) -> int | None:
    return _query_int(target, "limit")


def _forward(page: dict[str, Any], target: Any) -> bool:
    """False when `next` asks for an offset at or before the current page's."""
    current, offset = _int(page.get("offset")), _offset(target)
    return current is None or offset is None or offset > current
