"""The raw tables: the one declaration the source, the lake, the load, rebuild, Dagster
and the dbt sources' test all follow.

Each raw table holds the keys, the time we observed the object, and `payload`, the
API object unchanged but for what another raw table already holds (a playlist object's
embedded first page of entries, which playlist_entries has entry by entry); the lake
keeps every object whole. Adding a table here (plus its resource, replica endpoint and
dbt source) is all the lake, the loader and the Dagster assets need.
"""

from typing import Final

# The warehouse schema the raw tables load into (dlt's dataset_name). dbt's var
# `spotify_raw_schema` in dbt_project.yml must name the same schema: the
# orchestration passes this value to every dbt invocation, and a test checks the
# default there for people who run dbt by hand.
RAW_DATASET: Final = "raw_spotify"

# Raw tables: keys plus the API object, unchanged, in a JSON column named payload.
PAYLOAD_COLUMN: Final = {"name": "payload", "data_type": "json"}
OBSERVED_AT_COLUMN: Final = {"name": "observed_at", "data_type": "timestamp", "nullable": False}


def _text(name: str) -> dict:
    return {"name": name, "data_type": "text", "nullable": False}


RAW_TABLES: Final[dict[str, dict]] = {
    "playlists": {
        # One row per observation: a snapshot fetched again on a later day adds a row, so
        # the day a snapshot was first seen survives (entries are merged per snapshot).
        "primary_key": ("playlist_id", "snapshot_id", "observed_at"),
        "columns": [_text("playlist_id"), _text("snapshot_id"), OBSERVED_AT_COLUMN, PAYLOAD_COLUMN],
        # Arrays left out of the payload on the way to the warehouse: the first page of
        # entries (2026 `items`, legacy `tracks`) is ~99 % of a playlist object's bytes
        # (~200 kB of 216 kB) and lands in playlist_entries too. Its `total` stays.
        "payload_without": ("items.items", "tracks.items"),
    },
    "playlist_entries": {
        "primary_key": ("playlist_id", "snapshot_id", "position"),
        "columns": [
            _text("playlist_id"),
            _text("snapshot_id"),
            {"name": "position", "data_type": "bigint", "nullable": False},
            OBSERVED_AT_COLUMN,
            PAYLOAD_COLUMN,
        ],
    },
    "artists": {
        "primary_key": ("artist_id",),
        "columns": [_text("artist_id"), OBSERVED_AT_COLUMN, PAYLOAD_COLUMN],
    },
    "albums": {
        "primary_key": ("album_id",),
        "columns": [_text("album_id"), OBSERVED_AT_COLUMN, PAYLOAD_COLUMN],
    },
}


def table_hints(table: str) -> dict:
    """dlt resource hints for a raw table: merge on its key, columns fixed on purpose."""
    spec = RAW_TABLES[table]
    return {
        "name": table,
        "primary_key": list(spec["primary_key"]),
        "write_disposition": "merge",
        "columns": {column["name"]: dict(column) for column in spec["columns"]},
    }


# The lake file a warehouse row was read from: its path relative to the lake root (file
# names start with the extraction's load id, so ordering by it is load order). The raw
# tables keep every record of every lake file (ingestion/warehouse/bulk_load.py), and dbt
# staging breaks ties between records of one key (latest observed_at, then lake_file).
LAKE_FILE_COLUMN: Final = {"name": "lake_file", "data_type": "text", "nullable": False}
