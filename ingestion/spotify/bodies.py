"""Bodies we do not trust: every answer is checked before anything parses it.

spotipy parses a body with `response.json()`, which trusts it: deep nesting raises
RecursionError (and loses the whole extract), and a lone surrogate (`"\\ud800"`,
valid JSON) parses, but no UTF-8 file can hold it, so it would poison every later
load. requests runs its response hooks before it reads the body (unless streaming),
so a hook reads it here instead: at most `max_bytes`, then refuses a body that is
not strict UTF-8, is nested deeper than `max_depth`, or escapes a lone surrogate.
The checks cost a few regular-expression passes, no second parse, on normal bodies.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

from requests import Response

from ingestion.errors import UnusableResponse

MAX_BODY_BYTES = 32 * 1024 * 1024  # a 100-entry page is ~0.3 MiB
MAX_DEPTH = 64  # a playlist object nests about 10 deep
_CHUNK_BYTES = 64 * 1024

# JSON strings (their brackets are text), then everything but brackets.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")
# `\ud800`…`\udfff`: only then can a parsed body hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass(frozen=True)
class BodyCheck:
    """A requests response hook that refuses bodies we will not parse or store.

    `keep_content(url)`: whether the refused bytes may be kept for the quarantine
    (not for the token endpoint, whose answers carry secrets).
    """

    max_bytes: int = MAX_BODY_BYTES
    max_depth: int = MAX_DEPTH
    keep_content: Any = None

    def __call__(self, response: Response, *args: Any, **kwargs: Any) -> None:
        content = self._read(response)
        reason = self.problem(content)
        if reason is not None:
            raise self._refused(response, reason, content)

    def problem(self, content: bytes) -> str | None:
        """Why a body cannot be used, or None."""
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            return f"it is not valid UTF-8 (byte {error.start} of {len(content)})"
        if self._too_deep(text):
            return f"it is nested deeper than {self.max_depth} levels"
        if _SURROGATE_ESCAPE.search(text) and _holds_lone_surrogate(text):
            return "it holds a lone UTF-16 surrogate (such as \\ud800), which UTF-8 cannot store"
        return None

    def _too_deep(self, text: str) -> bool:
        # Removing the innermost empty pairs once per level empties a balanced skeleton
        # of depth ≤ max_depth; a pair still left to remove is nested deeper.
        skeleton = _NOT_BRACKET.sub("", _STRING.sub("", text))
        for _ in range(self.max_depth):
            skeleton, removed = _INNERMOST.subn("", skeleton)
            if not removed:
                return False
        return _INNERMOST.search(skeleton) is not None

    def _read(self, response: Response) -> bytes:
        """The body, read at most up to the limit."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response.close()
            raise self._refused(response, self._too_large(f"{int(declared)} bytes declared"), b"")
        chunks, size = [], 0
        for chunk in response.iter_content(_CHUNK_BYTES):
            size += len(chunk)
            if size > self.max_bytes:
                response.close()
                raise self._refused(response, self._too_large("not read further"), b"")
            chunks.append(chunk)
        content = b"".join(chunks)
        # Where requests keeps a body it has read: `response.content` and `.json()` use it.
        response._content = content
        return content

    def _too_large(self, detail: str) -> str:
        return f"it is larger than {self.max_bytes // (1024 * 1024)} MiB ({detail})"

    def _refused(self, response: Response, reason: str, content: bytes) -> UnusableResponse:
        keep = self.keep_content is None or self.keep_content(response.url)
        return UnusableResponse(
            f"Spotify sent a response that cannot be used: {reason}.",
            reason=reason,
            content=content if keep else None,
            url=response.url,
        )


def _holds_lone_surrogate(text: str) -> bool:
    try:
        value = json.loads(text)  # safe: the depth is checked
    except ValueError:
        return False  # not JSON at all: spotipy reports that as a malformed answer
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
