"""The project's own exceptions: each message says what happened and what to do next."""


class SpotifyEltError(Exception):
    """Base class: the CLI prints the message and exits non-zero, without a traceback."""


class ConfigurationError(SpotifyEltError):
    """Configuration is missing or invalid (playlists, credentials, targets)."""


class PlaylistReferenceError(ConfigurationError):
    """A playlist reference is neither a Spotify URL, a spotify: URI nor a base62 id."""


class SpotifyApiError(SpotifyEltError):
    """The Spotify API refused a request or answered with something we cannot use."""


class RateLimitedError(SpotifyApiError):
    """Spotify kept answering 429, or asked to wait longer than we are willing to."""


class ExtractionIncompleteError(SpotifyEltError):
    """Some playlists could not be read; the others landed in the lake."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        lines = "\n".join(f"  - {failure}" for failure in failures)
        super().__init__(
            f"{len(failures)} playlist(s) could not be read; everything else was kept "
            f"in the lake and loaded:\n{lines}"
        )


class LakeFileError(SpotifyEltError):
    """A raw file in the lake, or given to import-raw, cannot be read."""


class TransformError(SpotifyEltError):
    """dbt failed: a model did not build or a data test failed."""
