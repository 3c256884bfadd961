"""A stand-in for the dlt loader: writes the `raw_spotify` tables the dbt sources read.

It exists so that the dbt project can be built and tested from real Spotify API
responses without running the ingestion. The real loader (ingestion/, dlt) writes
the same tables; this module is the executable form of that contract:

schema `raw_spotify` (one per warehouse; the dbt var `spotify_raw_schema` moves it)

    table             key (merge)                                       columns besides the key
    playlists         playlist_id, snapshot_id, observed_at, lake_file  payload json
    playlist_entries  playlist_id, snapshot_id, position, lake_file     observed_at, payload
    artists           artist_id, lake_file                              observed_at, payload
    albums            album_id, lake_file                               observed_at, payload

with the ids, snapshot_id and lake_file varchar, position bigint, observed_at
timestamptz and payload json; and on every table dlt's
`_dlt_load_id varchar not null` (the load's unix time as text, "1763740800.123456")
and `_dlt_id varchar not null` (a unique row id).
`payload` holds the API object exactly as Spotify returned it: the playlist object
of GET /playlists/{id}, one entry object of /playlists/{id}/tracks or /items
(`track` and/or `item`, possibly null), the full artist and album objects.
`position` is the 0-based position in the playlist (page offset + index).
All four tables exist even when empty (artists and albums are empty when raw
archives are imported without calling the API).

dlt's own table `raw_spotify._dlt_loads` gets one row per call: load_id varchar,
schema_name varchar ("spotify"), status bigint (0 = completed), inserted_at
timestamptz, schema_version_hash varchar.

Each call is one load of one lake file per table: `lake_file` is the file's path
relative to the lake root (`spotify/<table>/date=<day>/<load id>.jsonl` unless given),
so every record of every lake file is kept, as the loader's contract says; rows with
the key of a row already present replace it (dlt's `write_disposition="merge"`).
"""

import json
import secrets
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

RAW_SCHEMA = "raw_spotify"
DLT_SCHEMA_NAME = "spotify"

# A JSON document: parsed already, or a path to a .json file.
Document = dict[str, Any] | str | Path
# A moment: an aware datetime or an ISO 8601 string ("2023-11-01T08:47:52Z").
Moment = datetime | str

_DLT_COLUMNS = "_dlt_load_id varchar not null, _dlt_id varchar not null"
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "playlists": (
        ("playlist_id", "snapshot_id", "observed_at", "lake_file"),
        "playlist_id varchar, snapshot_id varchar, observed_at timestamptz, payload json, "
        "lake_file varchar",
    ),
    "playlist_entries": (
        ("playlist_id", "snapshot_id", "position", "lake_file"),
        "playlist_id varchar, snapshot_id varchar, position bigint, "
        "observed_at timestamptz, payload json, lake_file varchar",
    ),
    "artists": (
        ("artist_id", "lake_file"),
        "artist_id varchar, observed_at timestamptz, payload json, lake_file varchar",
    ),
    "albums": (
        ("album_id", "lake_file"),
        "album_id varchar, observed_at timestamptz, payload json, lake_file varchar",
    ),
}
_DLT_LOADS_DDL = (
    "load_id varchar not null, schema_name varchar, status bigint not null, "
    "inserted_at timestamptz not null, schema_version_hash varchar"
)


def load_document(document: Document) -> Any:
    """A parsed JSON document, from a dict or the path of a .json file."""
    if isinstance(document, str | Path):
        return json.loads(Path(document).read_text(encoding="utf-8"))
    return document


def entries_page(document: Document) -> tuple[list[Any], int]:
    """(entries, offset) of a paging object of entries, or of a playlist object's first page.

    A playlist object embeds its first page under `items` (2026) and/or `tracks` (legacy).
    """
    page = load_document(document)
    if isinstance(page, list):
        return page, 0
    if page.get("type") == "playlist":
        embedded = page.get("items") if isinstance(page.get("items"), dict) else None
        page = embedded or page["tracks"]
    return list(page["items"]), int(page.get("offset") or 0)


def _moment(value: Moment) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _with_moment(
    item: Document | tuple[Moment, Document], default: Moment
) -> tuple[datetime, dict[str, Any]]:
    if isinstance(item, tuple):
        moment, document = item
        return _moment(moment), load_document(document)
    return _moment(default), load_document(item)


def _next_load_id(connection: duckdb.DuckDBPyConnection) -> str:
    """Unix time as dlt writes it; strictly after any load already in the file."""
    latest = connection.execute(
        f"select max(try_cast(load_id as double)) from {RAW_SCHEMA}._dlt_loads"
    ).fetchone()[0]
    now = time.time()
    if latest is not None and now <= latest:
        now = latest + 0.000001
    return f"{now:.6f}"


def _merge(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    rows: Iterable[tuple[Any, ...]],
    load_id: str,
) -> int:
    key, _ = TABLES[table]
    rows = [(*row, load_id, secrets.token_urlsafe(10)) for row in rows]
    if not rows:
        return 0
    staged = f"_incoming_{table}"
    connection.execute(
        f"create or replace temp table {staged} as select * from {RAW_SCHEMA}.{table} limit 0"
    )
    placeholders = ", ".join("?" for _ in rows[0])
    connection.executemany(f"insert into {staged} values ({placeholders})", rows)
    # Within one load the last row of a key wins, as in dlt's merge.
    partition = ", ".join(key)
    same_key = " and ".join(f"{staged}.{column} = existing.{column}" for column in key)
    connection.execute(
        f"delete from {RAW_SCHEMA}.{table} as existing "
        f"where exists (select 1 from {staged} where {same_key})"
    )
    connection.execute(
        f"insert into {RAW_SCHEMA}.{table} select * exclude (_row_number) from ("
        f"  select *, row_number() over (partition by {partition} order by rowid desc)"
        f"  as _row_number from {staged}"
        f") where _row_number = 1"
    )
    connection.execute(f"drop table {staged}")
    return len(rows)


def create_raw_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """The empty raw schema (what dlt creates on its first load)."""
    connection.execute(f"create schema if not exists {RAW_SCHEMA}")
    for table, (_, columns) in TABLES.items():
        connection.execute(
            f"create table if not exists {RAW_SCHEMA}.{table} ({columns}, {_DLT_COLUMNS})"
        )
    connection.execute(f"create table if not exists {RAW_SCHEMA}._dlt_loads ({_DLT_LOADS_DDL})")


def write_raw_tables(
    duckdb_path: str | Path,
    entries_pages: Sequence[tuple[str, str, Moment, Document]] = (),
    playlists: Sequence[Document | tuple[Moment, Document]] = (),
    artists: Sequence[Document | tuple[Moment, Document]] = (),
    albums: Sequence[Document | tuple[Moment, Document]] = (),
    observed_at: Moment | None = None,
    lake_file: str | None = None,
) -> str:
    """Write one load into `raw_spotify` of the DuckDB file; return its load id.

    entries_pages: (playlist_id, snapshot_id, observed_at, page), where page is a
        paging object of playlist entries, a playlist object with its first page
        embedded, or a list of entry objects; position = page offset + index.
    playlists, artists, albums: API objects (dict or path), or (observed_at, object)
        pairs; the key columns come from the object's `id` (and `snapshot_id`).
    observed_at: the time for objects given without one (default: now).
    lake_file: the lake file name of this load's records, `{table}` standing for the
        table (default `spotify/{table}/date=<today>/<load id>.jsonl`).
    """
    default_moment = observed_at or datetime.now(UTC)
    with duckdb.connect(str(duckdb_path)) as connection:
        create_raw_tables(connection)
        load_id = _next_load_id(connection)
        file_pattern = lake_file or (
            f"spotify/{{table}}/date={datetime.now(UTC):%Y-%m-%d}/{load_id}.jsonl"
        )

        def file_of(table: str) -> str:
            return file_pattern.format(table=table)

        entry_rows = []
        for playlist_id, snapshot_id, moment, page in entries_pages:
            entries, offset = entries_page(page)
            for index, entry in enumerate(entries):
                entry_rows.append(
                    (
                        playlist_id,
                        snapshot_id,
                        offset + index,
                        _moment(moment),
                        json.dumps(entry),
                        file_of("playlist_entries"),
                    )
                )
        _merge(connection, "playlist_entries", entry_rows, load_id)

        playlist_rows = []
        for item in playlists:
            moment, playlist = _with_moment(item, default_moment)
            playlist_rows.append(
                (
                    playlist["id"],
                    playlist["snapshot_id"],
                    moment,
                    json.dumps(playlist),
                    file_of("playlists"),
                )
            )
        _merge(connection, "playlists", playlist_rows, load_id)

        for table, objects in (("artists", artists), ("albums", albums)):
            rows = []
            for item in objects:
                moment, api_object = _with_moment(item, default_moment)
                rows.append((api_object["id"], moment, json.dumps(api_object), file_of(table)))
            _merge(connection, table, rows, load_id)

        connection.execute(
            f"insert into {RAW_SCHEMA}._dlt_loads values (?, ?, 0, ?, ?)",
            [load_id, DLT_SCHEMA_NAME, datetime.now(UTC), "raw-fixture"],
        )
    return load_id
