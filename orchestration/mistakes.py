"""Ordinary mistakes that reach the CLI as a library's exception, said in one sentence.

Our own code raises `SpotifyEltError`s with advice; this module covers what arrives
from below it: the operating system (a full disk, a read-only folder), dlt's
configuration coercion (a number where text is expected) and DuckDB (a warehouse
file that is no database). Each is recognised by its type and its data (`errno`,
the field dlt names), never by matching our own messages. Anything else stays
"unexpected", with the hint to rerun with -v.
"""

import errno
from collections.abc import Iterator

from dlt.common.configuration.exceptions import ConfigValueCannotBeCoercedException

from ingestion.errors import ConfigurationError, SpotifyEltError

# What to do about an OSError, by its errno; the sentence names the file first.
_OS_ADVICE = {
    errno.ENOSPC: "the disk is full: free space (or move the data with --data-dir) and run "
    "again; what landed before stays and the next run completes it",
    errno.EDQUOT: "the disk quota is used up: free space (or move the data with --data-dir) "
    "and run again; what landed before stays and the next run completes it",
    errno.EROFS: "the file system is read-only: give a writable folder with --data-dir or "
    "SPOTIFY_ELT_DATA_DIR",
    errno.EACCES: "permission denied: make it writable for this user, or give another folder "
    "with --data-dir or SPOTIFY_ELT_DATA_DIR",
    errno.EPERM: "operation not permitted: make it writable for this user, or give another "
    "folder with --data-dir or SPOTIFY_ELT_DATA_DIR",
    errno.ENOTDIR: "a file stands where a folder is needed: move it away or give another "
    "--data-dir",
    errno.EISDIR: "a folder stands where a file is needed: move it away and run again",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n) and run again",
}

# Python's names of dlt's value types, in words a user recognises.
_TYPE_WORDS = {
    bool: "true or false",
    int: "a whole number",
    float: "a number (seconds)",
    str: "text",
}


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (dlt's PipelineStepFailed keeps it as `.exception`) and its
    causes, each once."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = getattr(current, "exception", None)
        pending += [wrapped if isinstance(wrapped, BaseException) else None]
        pending += [current.__cause__, current.__context__]


def _os_sentence(error: OSError) -> str | None:
    advice = _OS_ADVICE.get(error.errno)
    if advice is None:
        return None
    where = f" {error.filename}" if error.filename else ""
    return f"Cannot write{where}: {advice}."


def _coercion_sentence(error: ConfigValueCannotBeCoercedException) -> str:
    field = error.field_name
    expected = _TYPE_WORDS.get(error.hint, f"of type {getattr(error.hint, '__name__', error.hint)}")
    return (
        f"The configured `{field}` must be {expected}, not {error.field_value!r}: fix it under "
        f"[sources.spotify] in .dlt/config.toml (or SOURCES__SPOTIFY__{field.upper()}) and run "
        "again."
    )


def _duckdb_sentence(error: BaseException) -> str | None:
    import duckdb

    if not isinstance(error, duckdb.IOException):
        return None
    text = str(error)  # DuckDB gives no code for these: its text is the only sign
    if "not a valid DuckDB database file" in text or "Is a directory" in text:
        reason = text.removeprefix("IO Error: ")
        return (
            f"The warehouse file is not a DuckDB database ({reason}): move it away and run "
            "`spotify-elt rebuild`, which refills it from the lake."
        )
    return None


def explain(error: BaseException) -> SpotifyEltError | None:
    """A one-sentence `SpotifyEltError` for a known mistake under `error`, else None."""
    for cause in _chain(error):
        if isinstance(cause, SpotifyEltError):
            return cause
        if isinstance(cause, ConfigValueCannotBeCoercedException):
            return ConfigurationError(_coercion_sentence(cause))
        if isinstance(cause, OSError) and (sentence := _os_sentence(cause)):
            return SpotifyEltError(sentence)
        if sentence := _duckdb_sentence(cause):
            return SpotifyEltError(sentence)
    return None
