"""Strict parsing of raw JSON: what we cannot store losslessly is refused, with the reason.

Python's `json` accepts text the warehouse cannot hold (a lone surrogate such as
"\\ud800", NaN) and recurses until a RecursionError; orjson refuses both, as DuckDB's
reader does, so a file that passes here also loads. On top: a size limit (gzip
included, so a small archive cannot unpack to gigabytes) and a nesting limit far
above anything the Spotify API returns.
"""

import gzip
import io
from typing import Any

import orjson

from ingestion.errors import LakeFileError

# A page of 100 playlist entries is well under 1 MB; 64 MB leaves room for any saved response.
MAX_BYTES = 64 << 20
# Spotify's deepest objects (an entry's track's album's images) nest about 6 levels.
MAX_DEPTH = 64
_GZIP_MAGIC = b"\x1f\x8b"


def unpack(raw: bytes, name: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a file, gunzipped if it is gzip; refuses more than `max_bytes` either way."""
    if len(raw) > max_bytes:
        raise LakeFileError(f"{name}: larger than {_size(max_bytes)}; not read.")
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as archive:
            data = archive.read(max_bytes + 1)
    except (OSError, EOFError):
        raise LakeFileError(f"{name}: gzip data is truncated or damaged.") from None
    if len(data) > max_bytes:
        raise LakeFileError(f"{name}: unpacks to more than {_size(max_bytes)}; not read.")
    return data


def parse(text: bytes, name: str, max_depth: int = MAX_DEPTH) -> Any:
    """One JSON document, strictly: valid UTF-8, no lone surrogates, nested at most `max_depth`."""
    if not text.strip():
        raise LakeFileError(f"{name}: the file is empty.")
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise LakeFileError(f"{name}: {_problem(error, text)}.") from None
    if depth(document) > max_depth:
        raise LakeFileError(
            f"{name}: nested deeper than {max_depth} levels; no Spotify response is, not read."
        )
    return document


def depth(document: Any) -> int:
    """How deeply arrays and objects nest (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(document, 1)]
    while stack:
        value, level = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children)
    return deepest


def _problem(error: orjson.JSONDecodeError, text: bytes) -> str:
    where = f"line {error.lineno}, column {error.colno}"
    if "surrogate" in error.msg or "UTF-8" in error.msg:
        return f"text that is not valid Unicode ({where}: {error.msg})"
    if "depth limit" in error.msg:
        return f"nested deeper than {MAX_DEPTH} levels"
    if error.pos >= len(text.rstrip()) - 1:
        return f"truncated ({where}: {error.msg})"
    return f"not valid JSON ({where}: {error.msg})"


def _size(count: int) -> str:
    return f"{count >> 20} MB" if count >= 1 << 20 else f"{count} bytes"
