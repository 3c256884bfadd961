"""The project's own exceptions: each message says what happened and what to do next.

Errors carry their cause as data: an API error has its HTTP `status` (and, for a
rate limit, `retry_after`), its class says the kind (`NotFound`, `Forbidden`…), and
a step that failed after producing something carries that as `result`. Callers
branch on types and fields, never on message text.
"""

from typing import Any


class SpotifyEltError(Exception):
    """Base class: the CLI prints the message and exits non-zero, without a traceback."""


class ConfigurationError(SpotifyEltError):
    """Configuration is missing or invalid (playlists, credentials, targets)."""


class PlaylistReferenceError(ConfigurationError):
    """A playlist reference is neither a Spotify URL, a spotify: URI nor a base62 id."""


class SpotifyApiError(SpotifyEltError):
    """The Spotify API refused a request or answered with something we cannot use."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotFound(SpotifyApiError):
    """404: the object does not exist, or is not visible to this app (editorial playlists)."""


class Forbidden(SpotifyApiError):
    """403: the app or user may not read this (2026 development-mode rules)."""


class Unauthorized(SpotifyApiError):
    """401, or the token endpoint refused the credentials."""


class RateLimited(SpotifyApiError):
    """429 that we will not wait out: Spotify asked for `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after


class Unreachable(SpotifyApiError):
    """No HTTP answer at all: DNS, refused connection, TLS, timeout (`host`: which one)."""

    def __init__(self, message: str, host: str = "") -> None:
        super().__init__(message)
        self.host = host


class RateLimitBreakerOpen(RateLimited):
    """A long 429 of an earlier run: Spotify allows requests again at `until` (UTC)."""

    def __init__(self, message: str, until: Any, retry_after: float | None = None) -> None:
        super().__init__(message, retry_after=retry_after)
        self.until = until


class MalformedResponse(SpotifyApiError):
    """An answer that is not the JSON object the endpoint documents."""


class UnusableResponse(MalformedResponse):
    """A body we refuse to parse or store (too large, not UTF-8, nested too deep, a lone
    surrogate): `reason` says which, `content` the bytes as received, for the quarantine
    (None for the token endpoint, whose answers carry secrets), `url` where from."""

    def __init__(
        self, message: str, reason: str, content: bytes | None = None, url: str = ""
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.content = content
        self.url = url


class UnsafePaging(MalformedResponse):
    """A paging object's `next` we will not follow. `kind`: `foreign_host` (another host
    would get our token), `not_advancing` (a page already read, or back), `empty_page`
    (no entries, yet more pages), `past_total` (more pages than its `total` allows)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class ExtractionIncompleteError(SpotifyEltError):
    """Part of the extraction failed; what was fetched landed in the lake (`result`).

    `heading` says what is missing (playlists, enrichment, the whole run).
    """

    def __init__(self, failures: list[str], result: Any = None, heading: str = "") -> None:
        self.failures = failures
        self.result = result
        lines = "\n".join(f"  - {failure}" for failure in failures)
        heading = heading or (
            f"{len(failures)} playlist(s) could not be read; everything else was kept in the lake"
        )
        super().__init__(f"{heading}:\n{lines}")


class LakeFileError(SpotifyEltError):
    """A raw file in the lake, or given to import-raw, cannot be read."""


class TransformError(SpotifyEltError):
    """dbt failed: a model did not build or a data test failed (`result`: what dbt did)."""

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.result = result


class LoadIncompleteError(LakeFileError):
    """Lake files the warehouse cannot read were set aside; every other file loaded.

    `problems`: one sentence per file; `result`: what the load did (rows per raw table).
    """

    def __init__(self, problems: list[str], result: Any = None) -> None:
        self.problems = problems
        self.result = result
        if len(problems) == 1:  # one line, naming the file first (alerts show the first line)
            super().__init__(f"{problems[0]} Every other lake file was loaded.")
            return
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            f"{len(problems)} lake files could not be loaded; every other lake file was "
            f"loaded:\n{lines}"
        )


class LakeWriteError(SpotifyEltError):
    """The lake could not be written (disk full, no permission); what landed before stays."""
