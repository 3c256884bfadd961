"""Run the DuckDB-native baseline (baseline.sql) on a lake folder; print the marts' rows.

python -m benchmarks.baseline LAKE_DIR [--database FILE]
"""

import argparse
import json
from pathlib import Path

import duckdb

SCRIPT = Path(__file__).with_name("baseline.sql")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lake")
    parser.add_argument("--database", default=":memory:")
    args = parser.parse_args()
    lake = str(Path(args.lake).resolve()).replace("'", "''")
    with duckdb.connect(args.database) as db:
        db.execute("set TimeZone = 'UTC'")
        db.execute(SCRIPT.read_text().replace("{lake}", lake))
        rows = dict(db.execute("select mart, row_count from mart_rows").fetchall())
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
