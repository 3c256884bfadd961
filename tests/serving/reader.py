"""A reader of a DuckDB file in its own process, as Tableau or a notebook would be.

    python -m tests.serving.reader hold FILE      open FILE read-only and keep it open;
                                                  each line on stdin: count the marts
                                                  through the open connection
    python -m tests.serving.reader poll FILE STOP open, count the marts, close, again,
                                                  until the file STOP exists

Each reading is printed as one JSON line: {"counts": {mart: rows}} or {"error": "..."}.
"""

import json
import sys
import time
from pathlib import Path

import duckdb


def counts(db: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [
        row[0]
        for row in db.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by 1"
        ).fetchall()
    ]
    return {name: db.execute(f"select count(*) from marts.{name}").fetchone()[0] for name in names}


def say(message: dict) -> None:
    print(json.dumps(message), flush=True)


def hold(path: str) -> None:
    with duckdb.connect(path, read_only=True) as db:
        say({"counts": counts(db)})
        for _ in sys.stdin:
            try:
                say({"counts": counts(db)})
            except duckdb.Error as error:
                say({"error": str(error)})


def poll(path: str, stop: str) -> None:
    while not Path(stop).exists():
        try:
            with duckdb.connect(path, read_only=True) as db:
                say({"counts": counts(db)})
        except duckdb.Error as error:
            say({"error": str(error)})
        time.sleep(0.2)


if __name__ == "__main__":
    mode, *arguments = sys.argv[1:]
    hold(*arguments) if mode == "hold" else poll(*arguments)
