"""End-to-end throughput on a generated catalog served by the local replica.

    python -m benchmarks [--playlists 20] [--tracks 500] [--days 2]

Prints wall time per step, API requests, and rows per second. Figures depend on
the machine; run it twice and compare on the same one.
"""

import argparse
import logging
import tempfile
import time
from pathlib import Path

from ingestion.spotify_replica import Catalog, ReplicaServer
from orchestration import steps
from orchestration.access import replica_source_args
from orchestration.config import Settings


def _timed(label: str, func, *args, **kwargs):
    started = time.perf_counter()
    result = func(*args, **kwargs)
    seconds = time.perf_counter() - started
    print(f"  {label:<28} {seconds:8.2f} s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--playlists", type=int, default=20)
    parser.add_argument("--tracks", type=int, default=500, help="entries per playlist")
    parser.add_argument("--days", type=int, default=2, help="simulated days to extract")
    parser.add_argument("--mode", choices=["current", "legacy"], default="current")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    started = time.perf_counter()
    catalog = Catalog.generate(
        seed=7,
        n_playlists=args.playlists,
        tracks_per_playlist=args.tracks,
        long_playlist_tracks=args.tracks * 2,
    )
    print(
        f"catalog: {args.playlists} playlists × ~{args.tracks} entries, generated in "
        f"{time.perf_counter() - started:.2f} s; mode {args.mode}"
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        ReplicaServer(mode=args.mode, catalog=catalog) as server,
    ):
        settings = Settings.resolve(Path(tmp) / "data")
        source_args = replica_source_args(server)
        entries = 0
        for day in range(args.days):
            server.set_day(day)
            print(f"day {day}:")
            result, seconds = _timed("extract (API → lake)", steps.extract, settings, source_args)
            entries += result.report.entries_read
            print(
                f"  {'':<28} {result.report.entries_read / seconds:8.0f} entries/s, "
                f"{result.report.stats.requests} requests"
            )
            loaded, seconds = _timed("load (lake → DuckDB)", steps.load, settings)
            _timed("transform (dbt build)", steps.transform, settings, docs=False)
        _, seconds = _timed("rebuild from lake (load)", steps.load, settings, rebuild=True)
        print(f"  {'':<28} {sum(loaded.rows.values()) / seconds:8.0f} raw rows/s")
        print("marts:", steps.mart_rows(settings))
        print(f"total entries extracted: {entries}; total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
