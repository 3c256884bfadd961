"""Setting input aside: what cannot be stored or parsed goes to the lake's quarantine.

A poison record must never block later runs, and must never be lost either: the
bytes are kept as they came, beside a one-sentence reason, under
`quarantine/<origin>/date=<day>/`. Nothing there is ever loaded; a person reads
the reason, fixes or deletes the file, and can import it again.
"""

from datetime import UTC, datetime

from ingestion.lake.layout import Lake, quarantine_paths


def quarantine(
    lake: Lake, origin: str, name: str, content: bytes, reason: str, source: str = ""
) -> str:
    """Store `content` and its reason in the quarantine; returns the file's full lake path.

    `source` names where the content came from (a URL, a file path) for the reason file.
    """
    day = datetime.now(UTC).date().isoformat()
    relative, reason_relative = quarantine_paths(origin, day, _safe_name(name))
    lake.fs.makedirs(lake.path(relative).rsplit("/", 1)[0], exist_ok=True)
    with lake.fs.open(lake.path(relative), "wb") as file:
        file.write(content)
    with lake.fs.open(lake.path(reason_relative), "w", encoding="utf-8") as file:
        file.write(f"{reason}\n" + (f"source: {source}\n" if source else ""))
    return lake.path(relative)


def move_to_quarantine(lake: Lake, relative: str, reason: str, origin: str = "load") -> str:
    """Move a lake file (relative path) that the warehouse cannot read into the quarantine.

    Returns the new full path. The move keeps the bytes; later loads no longer see the file.
    """
    day = datetime.now(UTC).date().isoformat()
    name = relative.replace("/", "__")
    target, reason_relative = quarantine_paths(origin, day, _safe_name(name))
    lake.fs.makedirs(lake.path(target).rsplit("/", 1)[0], exist_ok=True)
    lake.fs.mv(lake.path(relative), lake.path(target))
    with lake.fs.open(lake.path(reason_relative), "w", encoding="utf-8") as file:
        file.write(f"{reason}\nsource: {relative}\n")
    return lake.path(target)


def _safe_name(name: str) -> str:
    """A file name without path separators or control characters."""
    cleaned = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in name)
    return cleaned[:200] or "unnamed"
