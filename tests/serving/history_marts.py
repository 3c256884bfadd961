"""A test fixture: a serving file holding the history marts in exactly the shapes of the
shared contract (notes of issue 12), filled with a small, deterministic chart history.

The real marts come from dbt once issue 12 is merged; until then the Tableau tests build
the extract and the workbook from this file, and also from the real marts of a run.
"""

import random
from datetime import date, timedelta
from pathlib import Path

import duckdb

DAYS = 6
START = date(2026, 11, 1)
PLAYLISTS = {"pl_road_trip": "Road Trip", "pl_focus": "Focus ✨"}
SONGS = [f"song_{index:02d}" for index in range(1, 11)]
ARTISTS = {f"artist_{index}": name for index, name in enumerate(["Ada", "Björk", "Cé", "Dua"])}

SCHEMA = """
create schema marts;
create table marts.playlist_chart_days (
    playlist_id varchar, observed_date date, position integer, snapshot_id varchar,
    item_id varchar, song_id varchar, item_type varchar, item_name varchar,
    previous_position integer, movement varchar);
create table marts.song_playlist_runs (
    playlist_id varchar, song_id varchar, run_number integer, first_observed_date date,
    last_observed_date date, entry_position integer, peak_position integer,
    peak_first_date date, days_on integer, exit_date date, is_current boolean);
create table marts.song_playlist_totals (
    playlist_id varchar, song_id varchar, total_days integer, runs integer,
    best_peak_position integer);
create table marts.playlist_daily_changes (
    playlist_id varchar, observed_date date, previous_observed_date date, added integer,
    removed integer, moved integer, unchanged integer, snapshot_id_before varchar,
    snapshot_id_after varchar);
create table marts.artist_playlist_days (
    playlist_id varchar, artist_id varchar, artist_name varchar, observed_date date,
    songs_on_playlist integer, best_position integer);
create table marts.playlist_current_tracks (
    playlist_id varchar, playlist_name varchar, observed_date date, position integer,
    item_type varchar, song_id varchar, song_name varchar, artist_names varchar,
    album_name varchar, release_date date, duration_ms bigint, is_explicit boolean);
"""


def song_name(song_id: str) -> str:
    return f"Song {song_id[-2:]} – “{song_id[-1]}”"


def song_artists(song_id: str) -> list[str]:
    """One to three credited artists per song, in credit order."""
    number = int(song_id[-2:])
    keys = list(ARTISTS)
    return [keys[(number + offset) % len(keys)] for offset in range(1 + number % 3)]


def chart(seed: int = 7) -> dict[tuple[str, date], list[str]]:
    """{(playlist, day): songs in position order}: 5 to 7 songs a day, moving about."""
    rng = random.Random(seed)
    days: dict[tuple[str, date], list[str]] = {}
    for playlist in PLAYLISTS:
        songs = rng.sample(SONGS, 6)
        for offset in range(DAYS):
            day = START + timedelta(days=offset)
            if offset:
                songs = songs[:]
                rng.shuffle(songs)
                if rng.random() < 0.5:
                    songs.pop()  # one leaves
                if rng.random() < 0.7:
                    songs.insert(rng.randrange(len(songs) + 1), rng.choice(SONGS))
                songs = list(dict.fromkeys(songs))[:7]
            days[(playlist, day)] = songs
    return days


def write_history_marts(path: Path) -> dict[str, int]:
    """Fill `path` (a new DuckDB file) with the six history marts; returns rows per mart."""
    days = chart()
    chart_rows, artist_rows, current_rows, change_rows = [], [], [], []
    for playlist in PLAYLISTS:
        previous: list[str] | None = None
        previous_day = None
        for offset in range(DAYS):
            day = START + timedelta(days=offset)
            songs = days[(playlist, day)]
            for position, song in enumerate(songs, start=1):
                before = previous.index(song) + 1 if previous and song in previous else None
                if before is None:
                    movement = (
                        "new"
                        if offset == 0 or not _seen(days, playlist, song, day)
                        else ("re-entry")
                    )
                else:
                    movement = (
                        "up" if position < before else "down" if position > before else ("same")
                    )
                chart_rows.append(
                    (
                        playlist,
                        day,
                        position,
                        f"snap_{offset}",
                        song,
                        song,
                        "track",
                        song_name(song),
                        before,
                        movement,
                    )
                )
            per_artist: dict[str, list[int]] = {}
            for position, song in enumerate(songs, start=1):
                for artist in song_artists(song):
                    per_artist.setdefault(artist, []).append(position)
            for artist, positions in per_artist.items():
                artist_rows.append(
                    (playlist, artist, ARTISTS[artist], day, len(positions), min(positions))
                )
            if previous is not None:
                added = len(set(songs) - set(previous))
                removed = len(set(previous) - set(songs))
                kept = [song for song in songs if song in previous]
                moved = sum(1 for song in kept if songs.index(song) != previous.index(song))
                change_rows.append(
                    (
                        playlist,
                        day,
                        previous_day,
                        added,
                        removed,
                        moved,
                        len(kept) - moved,
                        f"snap_{offset - 1}",
                        f"snap_{offset}",
                    )
                )
            previous, previous_day = songs, day
        last_day = START + timedelta(days=DAYS - 1)
        for position, song in enumerate(days[(playlist, last_day)], start=1):
            number = int(song[-2:])
            current_rows.append(
                (
                    playlist,
                    PLAYLISTS[playlist],
                    last_day,
                    position,
                    "track",
                    song,
                    song_name(song),
                    ", ".join(ARTISTS[a] for a in song_artists(song)),
                    f"Album {number % 4}",
                    date(2020 + number % 5, 1 + number % 12, 1),
                    180_000 + number * 1000,
                    number % 4 == 0,
                )
            )
    runs, totals = _runs(chart_rows)
    with duckdb.connect(str(path)) as db:
        db.execute(SCHEMA)
        for table, rows in (
            ("playlist_chart_days", chart_rows),
            ("song_playlist_runs", runs),
            ("song_playlist_totals", totals),
            ("playlist_daily_changes", change_rows),
            ("artist_playlist_days", artist_rows),
            ("playlist_current_tracks", current_rows),
        ):
            marks = ", ".join("?" * len(rows[0]))
            db.executemany(f"insert into marts.{table} values ({marks})", rows)
        return {
            table: db.execute(f"select count(*) from marts.{table}").fetchone()[0]
            for (table,) in db.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }


def _seen(days, playlist: str, song: str, day: date) -> bool:
    return any(
        song in songs for (other, when), songs in days.items() if other == playlist and when < day
    )


def _runs(chart_rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    by_song: dict[tuple[str, str], list[tuple[date, int]]] = {}
    for playlist, day, position, _, _, song, *_ in chart_rows:
        by_song.setdefault((playlist, song), []).append((day, position))
    last_day = START + timedelta(days=DAYS - 1)
    runs, totals = [], []
    for (playlist, song), seen in sorted(by_song.items()):
        seen.sort()
        stays: list[list[tuple[date, int]]] = []
        for day, position in seen:
            if stays and (day - stays[-1][-1][0]).days == 1:
                stays[-1].append((day, position))
            else:
                stays.append([(day, position)])
        for number, stay in enumerate(stays, start=1):
            peak = min(position for _, position in stay)
            peak_day = min(day for day, position in stay if position == peak)
            end = stay[-1][0]
            runs.append(
                (
                    playlist,
                    song,
                    number,
                    stay[0][0],
                    end,
                    stay[0][1],
                    peak,
                    peak_day,
                    len(stay),
                    None if end == last_day else end + timedelta(days=1),
                    end == last_day,
                )
            )
        totals.append(
            (playlist, song, len(seen), len(stays), min(position for _, position in seen))
        )
    return runs, totals
