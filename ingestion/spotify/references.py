"""Parse the ways people refer to a playlist: share URLs, spotify: URIs and bare ids."""

import json
import re
from urllib.parse import urlparse

from ingestion.errors import PlaylistReferenceError

_BASE62_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_URI = re.compile(r"^spotify:(?:user:[^:]+:)?playlist:(?P<id>[0-9A-Za-z]+)$")
_URL_PATH = re.compile(r"^/(?:intl-[a-z]{2}(?:-[a-z]{2})?/)?(?:embed/)?playlist/(?P<id>[^/]+)/?$")


def parse_playlist_id(reference: str) -> str:
    """Return the 22-character playlist id of a URL, URI or id.

    Accepts `https://open.spotify.com/playlist/<id>?si=…`, `…/intl-de/playlist/<id>`,
    `spotify:playlist:<id>`, the old `spotify:user:<user>:playlist:<id>`, and `<id>`.
    """
    text = reference.strip()
    candidate = None
    if text.startswith("spotify:"):
        match = _URI.match(text)
        candidate = match.group("id") if match else None
    elif "/" in text or text.startswith("http"):
        url = urlparse(text if "://" in text else f"https://{text}")
        if url.hostname in ("open.spotify.com", "play.spotify.com"):
            match = _URL_PATH.match(url.path)
            candidate = match.group("id") if match else None
    else:
        candidate = text
    if candidate is None or not _BASE62_ID.match(candidate):
        raise PlaylistReferenceError(
            f"{reference!r} is not a Spotify playlist reference. Use a share link "
            "(https://open.spotify.com/playlist/<id>), a URI (spotify:playlist:<id>) "
            "or the 22-character id."
        )
    return candidate


# The word that stands for "the user's own and collaborative playlists" (GET /me/playlists).
MINE = "mine"


def split_mine(references: str | list[str] | None) -> tuple[bool, list[str]]:
    """(whether `mine` is among the references, the other references), order kept.

    `playlists = "mine"`, `["mine", "<url>"]` or "mine, <id>" all work.
    """
    if references is None:
        return False, []
    if isinstance(references, str):
        text = references.strip()
        if text.startswith("["):
            try:
                references = json.loads(text)
            except ValueError:
                raise PlaylistReferenceError(f"{text!r} is not a valid JSON list.") from None
        else:
            references = [part for part in re.split(r"[\s,]+", text) if part]
    others = [ref for ref in references if str(ref).strip().lower() != MINE]
    return len(others) != len(references), others


def parse_playlist_ids(references: str | list[str]) -> list[str]:
    """Parse a list, a JSON list or a comma/space separated string of references, in order."""
    if isinstance(references, str):
        text = references.strip()
        if text.startswith("["):
            try:
                references = json.loads(text)
            except ValueError:
                raise PlaylistReferenceError(f"{text!r} is not a valid JSON list.") from None
        else:
            references = [part for part in re.split(r"[\s,]+", text) if part]
    if not references:
        raise PlaylistReferenceError(
            "No playlists configured: set `playlists` under [sources.spotify] in "
            ".dlt/config.toml, SOURCES__SPOTIFY__PLAYLISTS, or pass --playlist."
        )
    ids: list[str] = []
    for reference in references:
        playlist_id = parse_playlist_id(reference)
        if playlist_id not in ids:
            ids.append(playlist_id)
    return ids
