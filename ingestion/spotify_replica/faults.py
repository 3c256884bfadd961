"""Hostile answers the replica can give: the real answer, altered on its way out.

Each alteration takes the rendered JSON body and returns the bytes to send. Paging
faults change a paging object's `next` (and `total`); body faults produce what a
broken or hostile server might send: valid JSON that no UTF-8 file can hold, a
value nested deeper than any parser's stack, bytes that are not UTF-8, a body far
too large.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

PAGING_FAULTS = ("self", "back", "foreign", "lying_total")
BODY_FAULTS = ("lone_surrogate", "deep", "invalid_utf8", "oversized")
LYING_TOTAL = 1_000_000
DEEP_LEVELS = 100_000
OVERSIZED_BYTES = 33 * 1024 * 1024
_MARK = "\u0000replica-fault\u0000"

Alter = Callable[[bytes], bytes]


def paging_fault(fault: str, api_base_url: str, foreign_base_url: str) -> Alter:
    """An alteration of the first paging object in an answer (a page, or a playlist's
    embedded first page); answers without one go out unchanged."""
    if fault not in PAGING_FAULTS:
        raise ValueError(f"fault must be one of {PAGING_FAULTS}, not {fault!r}")

    def alter(body: bytes) -> bytes:
        obj = json.loads(body)
        page = _paging_object(obj)
        if page is None:
            return body
        href = page.get("href") or ""
        if fault == "self":
            page["next"] = href
        elif fault == "back":
            page["next"] = page.get("previous") or href
        elif fault == "foreign":
            page["next"] = foreign_base_url + (page.get("next") or href)[len(api_base_url) :]
        else:  # lying_total: a total far too large, and a next that never ends
            page["total"] = LYING_TOTAL
            offset, limit = page.get("offset") or 0, page.get("limit") or 1
            # A followable link: an embedded page of 100 links to pages of 50.
            link = page.get("next") or _with_query(href, limit=min(limit, 50))
            page["next"] = _with_query(link, offset=offset + limit)
        return _dumps(obj)

    return alter


def body_fault(fault: str, size: int = OVERSIZED_BYTES) -> Alter:
    """An alteration that makes the answer unusable in the way `fault` says."""
    if fault not in BODY_FAULTS:
        raise ValueError(f"fault must be one of {BODY_FAULTS}, not {fault!r}")

    def alter(body: bytes) -> bytes:
        if fault == "deep":  # a value nested far deeper than a recursive parser can follow
            deep = b"[" * DEEP_LEVELS + b"]" * DEEP_LEVELS
            return body.rstrip()[:-1] + b',"nested":' + deep + b"}"
        if fault == "oversized":  # JSON may end in any amount of whitespace
            return body + b" " * max(0, size - len(body))
        obj = json.loads(body)
        if fault == "lone_surrogate":  # valid JSON: \ud800, escaped
            _set_first_name(obj, "Broken \ud800 name")
            return json.dumps(obj, ensure_ascii=True).encode()
        _set_first_name(obj, _MARK)  # invalid_utf8: a 0xFF byte inside a name
        return _dumps(obj).replace(_dumps(_MARK)[1:-1], b"Broken \xff name")

    return alter


def _paging_object(obj: Any) -> dict[str, Any] | None:
    if isinstance(obj, dict) and "next" in obj and isinstance(obj.get("items"), list):
        return obj
    for key in ("items", "tracks"):
        inner = obj.get(key) if isinstance(obj, dict) else None
        if isinstance(inner, dict) and "next" in inner:
            return inner
    return None


def _set_first_name(obj: Any, name: str) -> bool:
    """Set the first `name` found, breadth first (a playlist's, else an entry's)."""
    queue = [obj]
    while queue:
        node = queue.pop(0)
        if isinstance(node, dict):
            if isinstance(node.get("name"), str):
                node["name"] = name
                return True
            queue.extend(node.values())
        elif isinstance(node, list):
            queue.extend(node)
    return False


def _with_query(url: str, **changes: Any) -> str:
    parts = urlsplit(url)
    query = {**dict(parse_qsl(parts.query)), **{k: str(v) for k, v in changes.items()}}
    return urlunsplit(parts._replace(query=urlencode(query)))


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
