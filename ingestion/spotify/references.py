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
    if not isinstance(reference, str):
        raise PlaylistReferenceError(
            f"Playlists are given as text (a share link, a spotify:playlist: URI or an id), "
            f"not as {type(reference).__name__} {reference!r}: quote it, e.g. "
            '["37i9dQZEVXbMDoHDwVN2tF"].'
        )
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
        raise PlaylistReferenceError(f"{reference!r} {_what_it_is(text)}{_FORMS}")
    return candidate


_FORMS = (
    ": use a share link (https://open.spotify.com/playlist/<id>), a URI "
    "(spotify:playlist:<id>) or the 22-character id."
)
# Links and URIs of other Spotify objects, which people paste by mistake.
_OTHER_KIND = re.compile(
    r"^(?:spotify:|(?:https?://)?(?:open|play)\.spotify\.com/(?:intl-[a-z-]+/)?)"
    r"(?P<kind>album|track|artist|show|episode|user|audiobook)[:/]"
)


def _what_it_is(text: str) -> str:
    """Why a reference is none, in words: another kind of link, or no Spotify reference."""
    if match := _OTHER_KIND.match(text):
        kind = match.group("kind")
        article = "an" if kind in ("album", "artist", "episode", "audiobook") else "a"
        return f"is {article} {kind} link, not a playlist"
    return "is not a Spotify playlist reference"


# The word that stands for "the user's own and collaborative playlists" (GET /me/playlists).
MINE = "mine"


def _as_list(references: str | list[str]) -> list:
    """A list, a JSON list or a comma/space separated string of references, as a list."""
    if isinstance(references, str):
        text = references.strip()
        if not text.startswith("["):
            return [part for part in re.split(r"[\s,]+", text) if part]
        try:
            references = json.loads(text)
        except ValueError:
            raise PlaylistReferenceError(
                f"{text!r} is not a valid JSON list: quote each reference and close the "
                'brackets, e.g. ["37i9dQZEVXbMDoHDwVN2tF"], or separate them with commas.'
            ) from None
    if not isinstance(references, list | tuple):
        raise PlaylistReferenceError(
            f"`playlists` must be a list of playlist links, URIs or ids, not "
            f"{type(references).__name__} {references!r}: e.g. playlists = "
            '["https://open.spotify.com/playlist/37i9dQZEVXbMDoHDwVN2tF"].'
        )
    return list(references)


def split_mine(references: str | list[str] | None) -> tuple[bool, list[str]]:
    """(whether `mine` is among the references, the other references), order kept.

    `playlists = "mine"`, `["mine", "<url>"]` or "mine, <id>" all work.
    """
    if references is None:
        return False, []
    references = _as_list(references)
    others = [ref for ref in references if str(ref).strip().lower() != MINE]
    return len(others) != len(references), others


def parse_playlist_ids(references: str | list[str]) -> list[str]:
    """Parse a list, a JSON list or a comma/space separated string of references, in order."""
    references = _as_list(references)
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
