"""The golden history: a small playlist over ten days, with hand-computed answers.

Songs A, B, C, D, E, a local file L and a removed track R (its item is null) on the
playlist GOLDEN, observed on 2026-03-01 … 2026-03-10 except 03-06 (a day not
observed: unknown, not an exit). Positions are 1-based, as in the marts.

    day  snapshot  chart (position 1 first)   what happens
    d1   s1        A B C L R                  everything new
    d2   s1        A B C L R                  unchanged: playlist object only, no entries
    d3   s2        A C D L R                  B exits, C up 3→2, D enters
    d4   s3        C A D L R                  C climbs to a new peak (1); at 06:00 s2 was
                                              seen again, the 18:00 sighting of s3 wins
    d5   s4        C A B D L R                B re-enters; D, L, R pushed down
    d6   —                                    not observed
    d7   s5        C D B L R E                vs d5: D up two places (4→2) while A drops
                                              out; E enters
    d8   s5        C D B L R E                unchanged; the entries are fetched again,
                                              in the legacy `track` shape
    d9   s6        D C B L R E                D to a new peak (1); two lake files hold s6
                                              with the same observed_at: the later one
                                              (load order) names B "B (Remix)"
    d10  s7        D C L R E A                B exits again; A re-enters

Credits: A by X; B by X feat. Y; C by Y; D by Z; E by X and Z.

The same records are written as raw tables (tests/dbt, raw_fixture.write_raw_tables),
as lake files for the whole pipeline (lake → load → dbt), and the expectations below
hold on every path and warehouse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

PLAYLIST_ID = "goldenP1aylist00000000"  # 22 characters, like a Spotify id
USER = {"id": "golden-user", "display_name": "Golden User", "type": "user"}


def _id(name: str) -> str:
    return f"golden{name}".ljust(22, "0")


ARTISTS = {name: {"id": _id(f"Artist{name}"), "name": f"Artist {name}"} for name in "XYZ"}
CREDITS = {"A": "X", "B": "XY", "C": "Y", "D": "Z", "E": "XZ"}
SONG_IDS = {song: _id(f"Song{song}") for song in CREDITS}

DAYS: dict[int, tuple[str, str]] = {
    # day: (snapshot, chart as letters); day 6 is missing on purpose
    1: ("s1", "ABCLR"),
    2: ("s1", "ABCLR"),
    3: ("s2", "ACDLR"),
    4: ("s3", "CADLR"),
    5: ("s4", "CABDLR"),
    7: ("s5", "CDBLRE"),
    8: ("s5", "CDBLRE"),
    9: ("s6", "DCBLRE"),
    10: ("s7", "DCLREA"),
}


def day_date(day: int) -> date:
    return date(2026, 3, day)


def observed_at(day: int, hour: int = 10) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:00:00Z"


def _track(song: str, name: str | None = None) -> dict[str, Any]:
    artists = [
        {
            "id": ARTISTS[letter]["id"],
            "name": ARTISTS[letter]["name"],
            "type": "artist",
            "uri": f"spotify:artist:{ARTISTS[letter]['id']}",
        }
        for letter in CREDITS[song]
    ]
    return {
        "type": "track",
        "id": SONG_IDS[song],
        "name": name or f"Song {song}",
        "uri": f"spotify:track:{SONG_IDS[song]}",
        "duration_ms": 180_000 + ord(song),
        "explicit": song == "E",
        "is_local": False,
        "track_number": 1,
        "disc_number": 1,
        "external_ids": {"isrc": f"GOLD0000000{song}"},
        "album": {
            "id": _id(f"Album{song}"),
            "name": f"Album {song}",
            "album_type": "single",
            "release_date": "2025-06-01",
            "release_date_precision": "day",
            "total_tracks": 1,
            "artists": artists[:1],
        },
        "artists": artists,
    }


LOCAL = {
    "type": "track",
    "id": None,
    "name": "Local Song",
    "uri": "spotify:local:Someone:Home:Local+Song:200",
    "duration_ms": 200_000,
    "explicit": False,
    "is_local": True,
    "album": {"id": None, "name": "Home", "artists": []},
    "artists": [{"id": None, "name": "Someone"}],
}


def entry(letter: str, shape: str = "item", renamed: dict[str, str] | None = None) -> dict:
    """One entry object: `item` (2026 shape) or `track` (legacy shape)."""
    if letter == "R":  # a track Spotify no longer serves
        return {
            "added_at": "2025-05-05T05:05:05Z",
            "added_by": USER,
            "is_local": False,
            shape: None,
        }
    if letter == "L":
        return {
            "added_at": "2025-04-04T04:04:04Z",
            "added_by": USER,
            "is_local": True,
            shape: LOCAL,
        }
    item = _track(letter, (renamed or {}).get(letter))
    return {"added_at": "2026-02-01T00:00:00Z", "added_by": USER, "is_local": False, shape: item}


def playlist_object(snapshot: str, chart: str) -> dict[str, Any]:
    return {
        "type": "playlist",
        "id": PLAYLIST_ID,
        "snapshot_id": snapshot,
        "name": "Golden",
        "description": "The golden history",
        "public": True,
        "collaborative": False,
        "owner": USER,
        "items": {"total": len(chart), "href": "…"},
    }


@dataclass(frozen=True)
class Load:
    """One extraction: its lake file name and its records by raw table."""

    day: int
    lake_name: str  # <load id>.<file id>, ordered as the loads were
    playlists: list[dict[str, Any]]
    playlist_entries: list[dict[str, Any]]


def _records(snapshot: str, moment: str, entries: list[dict]) -> list[dict[str, Any]]:
    return [
        {
            "playlist_id": PLAYLIST_ID,
            "snapshot_id": snapshot,
            "position": position,
            "observed_at": moment,
            "payload": payload,
        }
        for position, payload in enumerate(entries)
    ]


def _playlist_record(snapshot: str, chart: str, moment: str) -> dict[str, Any]:
    return {
        "playlist_id": PLAYLIST_ID,
        "snapshot_id": snapshot,
        "observed_at": moment,
        "payload": playlist_object(snapshot, chart),
    }


def loads() -> list[Load]:
    """Every extraction of the history, in load order."""
    result: list[Load] = []
    seen: set[str] = set()
    for day, (snapshot, chart) in DAYS.items():
        load_id = f"17727{day:02d}000.000000"
        moment = observed_at(day)
        if day == 4:  # the morning sighting of yesterday's snapshot
            result.append(
                Load(day, f"{load_id}.a", [_playlist_record("s2", "ACDLR", observed_at(4, 6))], [])
            )
            moment = observed_at(4, 18)
            load_id = f"17727{day:02d}900.000000"
        entries: list[dict[str, Any]] = []
        if snapshot not in seen:  # a changed snapshot's entries are fetched
            entries = _records(snapshot, moment, [entry(letter) for letter in chart])
        elif day == 8:  # fetched again although unchanged, in the legacy shape
            entries = _records(snapshot, moment, [entry(letter, "track") for letter in chart])
        seen.add(snapshot)
        playlist = _playlist_record(snapshot, chart, moment)
        result.append(Load(day, f"{load_id}.a", [playlist], entries))
        if day == 9:  # a second lake file of the same snapshot, same observed_at, later
            renamed = [entry(letter, renamed={"B": "B (Remix)"}) for letter in chart]
            result.append(Load(day, f"{load_id}.b", [], _records(snapshot, moment, renamed)))
    return result


def lake_file(load: Load, table: str) -> str:
    """The file's path relative to the lake root, as the extraction names it."""
    return f"spotify/{table}/date={day_date(load.day).isoformat()}/{load.lake_name}.jsonl"


def write_lake(lake_root: Path, days: range | None = None) -> list[Path]:
    """Write the history (or the loads of some days) as lake files under lake_root."""
    written = []
    for load in loads():
        if days is not None and load.day not in days:
            continue
        for table in ("playlists", "playlist_entries"):
            records = getattr(load, table)
            if not records:
                continue
            path = lake_root / lake_file(load, table)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(json.dumps(record) + "\n" for record in records))
            written.append(path)
    return written


# ---- the answers, computed by hand (see the table at the top) --------------------------

SONG = {letter: SONG_IDS[letter] for letter in CREDITS}

# (day, position, letter, previous_position, movement)
CHART_DAYS = [
    (1, 1, "A", None, "new"), (1, 2, "B", None, "new"), (1, 3, "C", None, "new"),
    (1, 4, "L", None, "new"), (1, 5, "R", None, "new"),
    (2, 1, "A", 1, "same"), (2, 2, "B", 2, "same"), (2, 3, "C", 3, "same"),
    (2, 4, "L", 4, "same"), (2, 5, "R", 5, "same"),
    (3, 1, "A", 1, "same"), (3, 2, "C", 3, "up"), (3, 3, "D", None, "new"),
    (3, 4, "L", 4, "same"), (3, 5, "R", 5, "same"),
    (4, 1, "C", 2, "up"), (4, 2, "A", 1, "down"), (4, 3, "D", 3, "same"),
    (4, 4, "L", 4, "same"), (4, 5, "R", 5, "same"),
    (5, 1, "C", 1, "same"), (5, 2, "A", 2, "same"), (5, 3, "B", None, "re-entry"),
    (5, 4, "D", 3, "down"), (5, 5, "L", 4, "down"), (5, 6, "R", 5, "down"),
    (7, 1, "C", 1, "same"), (7, 2, "D", 4, "up"), (7, 3, "B", 3, "same"),
    (7, 4, "L", 5, "up"), (7, 5, "R", 6, "up"), (7, 6, "E", None, "new"),
    (8, 1, "C", 1, "same"), (8, 2, "D", 2, "same"), (8, 3, "B", 3, "same"),
    (8, 4, "L", 4, "same"), (8, 5, "R", 5, "same"), (8, 6, "E", 6, "same"),
    (9, 1, "D", 2, "up"), (9, 2, "C", 1, "down"), (9, 3, "B", 3, "same"),
    (9, 4, "L", 4, "same"), (9, 5, "R", 5, "same"), (9, 6, "E", 6, "same"),
    (10, 1, "D", 1, "same"), (10, 2, "C", 2, "same"), (10, 3, "L", 4, "up"),
    (10, 4, "R", 5, "up"), (10, 5, "E", 6, "up"), (10, 6, "A", None, "re-entry"),
]  # fmt: skip

# (letter, run_number, first day, last day, entry, peak, peak first day, days_on, exit day)
RUNS = [
    ("A", 1, 1, 5, 1, 1, 1, 5, 7),
    ("A", 2, 10, 10, 6, 6, 10, 1, None),
    ("B", 1, 1, 2, 2, 2, 1, 2, 3),
    ("B", 2, 5, 9, 3, 3, 5, 4, 10),
    ("C", 1, 1, 10, 3, 1, 4, 9, None),
    ("D", 1, 3, 10, 3, 1, 9, 7, None),
    ("E", 1, 7, 10, 6, 5, 10, 4, None),
]

# letter: (total_days, runs, best_peak_position, is_current)
TOTALS = {
    "A": (6, 2, 1, True),
    "B": (6, 2, 2, False),
    "C": (9, 1, 1, True),
    "D": (7, 1, 1, True),
    "E": (4, 1, 5, True),
}

# day: (previous day, snapshot before, snapshot after, added, removed, moved, unchanged)
DAILY_CHANGES = {
    1: (None, None, "s1", 5, 0, 0, 0),
    2: (1, "s1", "s1", 0, 0, 0, 5),
    3: (2, "s1", "s2", 1, 1, 1, 3),
    4: (3, "s2", "s3", 0, 0, 2, 3),
    5: (4, "s3", "s4", 1, 0, 3, 2),
    7: (5, "s4", "s5", 1, 1, 3, 2),
    8: (7, "s5", "s5", 0, 0, 0, 6),
    9: (8, "s5", "s6", 0, 0, 2, 4),
    10: (9, "s6", "s7", 1, 1, 3, 2),
}

# (day, artist letter): (songs_on_playlist, best_position)
ARTIST_DAYS = {
    (1, "X"): (2, 1), (1, "Y"): (2, 2),
    (2, "X"): (2, 1), (2, "Y"): (2, 2),
    (3, "X"): (1, 1), (3, "Y"): (1, 2), (3, "Z"): (1, 3),
    (4, "X"): (1, 2), (4, "Y"): (1, 1), (4, "Z"): (1, 3),
    (5, "X"): (2, 2), (5, "Y"): (2, 1), (5, "Z"): (1, 4),
    (7, "X"): (2, 3), (7, "Y"): (2, 1), (7, "Z"): (2, 2),
    (8, "X"): (2, 3), (8, "Y"): (2, 1), (8, "Z"): (2, 2),
    (9, "X"): (2, 3), (9, "Y"): (2, 2), (9, "Z"): (2, 1),
    (10, "X"): (2, 5), (10, "Y"): (1, 2), (10, "Z"): (2, 1),
}  # fmt: skip

# the latest observation (d10, s7): (position, letter, item_type, artist_names)
CURRENT_TRACKS = [
    (1, "D", "track", "Artist Z"),
    (2, "C", "track", "Artist Y"),
    (3, "L", "local", None),
    (4, "R", "unavailable", None),
    (5, "E", "track", "Artist X, Artist Z"),
    (6, "A", "track", "Artist X"),
]

# songs.song_name: the latest observation wins; for B the later of two lake files of d9
SONG_NAMES = {"A": "Song A", "B": "B (Remix)", "C": "Song C", "D": "Song D", "E": "Song E"}
# songs.last_observed_at: the last sighting of any snapshot holding the song
SONG_LAST_OBSERVED = {"A": 10, "B": 9, "C": 10, "D": 10, "E": 10}
# playlist_entries: snapshot → (first sighting, last sighting) as (day, hour)
SNAPSHOT_SIGHTINGS = {
    "s1": ((1, 10), (2, 10)),
    "s2": ((3, 10), (4, 6)),
    "s3": ((4, 18), (4, 18)),
    "s4": ((5, 10), (5, 10)),
    "s5": ((7, 10), (8, 10)),
    "s6": ((9, 10), (9, 10)),
    "s7": ((10, 10), (10, 10)),
}


def expected_chart_days() -> list[tuple]:
    """(observed_date, position, song_id or None, item_type, previous_position, movement)."""
    types = {"L": "local", "R": "unavailable"}
    return [
        (day_date(day), position, SONG.get(letter), types.get(letter, "track"), previous, move)
        for day, position, letter, previous, move in CHART_DAYS
    ]


def expected_runs() -> list[tuple]:
    return [
        (
            SONG[letter],
            run,
            day_date(first),
            day_date(last),
            entry_position,
            peak,
            day_date(peak_day),
            days_on,
            day_date(exit_day) if exit_day else None,
            exit_day is None,
        )
        for letter, run, first, last, entry_position, peak, peak_day, days_on, exit_day in RUNS
    ]


def expected_totals() -> list[tuple]:
    return sorted((SONG[letter], *values) for letter, values in TOTALS.items())


def expected_daily_changes() -> list[tuple]:
    return [
        (day_date(day), day_date(previous) if previous else None, *rest)
        for day, (previous, *rest) in DAILY_CHANGES.items()
    ]


def expected_artist_days() -> list[tuple]:
    return sorted(
        (day_date(day), ARTISTS[letter]["id"], ARTISTS[letter]["name"], *values)
        for (day, letter), values in ARTIST_DAYS.items()
    )
