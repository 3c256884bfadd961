"""Requests per run against the fewest that could do: the extraction's request ratio.

    python -m benchmarks.requests [--modes current legacy]

On the bundled replica (the demo catalog), in each API mode, three extractions
into one fresh lake: a first run (day 0), an unchanged rerun the same day, and
the next simulated day. For each it prints the requests the replica served and
the lower bound, computed here from the replica's catalog and what the earlier
runs were served, independently of the extraction's own bookkeeping:

    1 token
    + 1 per playlist (the object carries the snapshot id and the first page)
    + for a snapshot not landed before: ceil((total - first page) / page limit)
    + artists and albums never fetched before: one by one (current API), or in
      batches of 50 / 20 (legacy API)

Target: ratio 1.00 for each run. (To fold into `python -m benchmarks`, call
`request_ratios()` and print its rows as one section.)
"""

import argparse
import logging
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.spotify_replica import Catalog, ReplicaServer
from ingestion.spotify_replica.catalog import Track
from ingestion.spotify_replica.render import EMBEDDED_PAGE_LIMIT
from orchestration import steps
from orchestration.access import replica_source_args
from orchestration.config import Settings

PAGE_LIMIT = {"current": 50, "legacy": 100}
BATCH_LIMIT = {"artists": 50, "albums": 20}
RUNS = (("first run", 0), ("unchanged rerun", 0), ("next day", 1))


@dataclass
class LowerBound:
    """What earlier runs were served, to compute the next run's lower bound."""

    mode: str
    landed: set[tuple[str, str]] = field(default_factory=set)
    fetched: dict[str, set[str]] = field(
        default_factory=lambda: {"artists": set(), "albums": set()}
    )

    def next_run(self, server: ReplicaServer, playlist_ids: list[str]) -> int:
        requests = 1 + len(playlist_ids)  # the token, then each playlist object
        wanted: dict[str, set[str]] = {"artists": set(), "albums": set()}
        for playlist_id in playlist_ids:
            snapshot = server.playlist_snapshot(playlist_id)
            if (playlist_id, snapshot.snapshot_id) not in self.landed:
                after_first = max(0, snapshot.total - EMBEDDED_PAGE_LIMIT)
                requests += math.ceil(after_first / PAGE_LIMIT[self.mode])
                self.landed.add((playlist_id, snapshot.snapshot_id))
            for entry in snapshot.entries:
                if isinstance(entry.item, Track):
                    album = entry.item.album
                    wanted["albums"].add(album.id)
                    wanted["artists"] |= {a.id for a in (*entry.item.artists, *album.artists)}
        for kind, ids in wanted.items():
            new = len(ids - self.fetched[kind])
            requests += new if self.mode == "current" else math.ceil(new / BATCH_LIMIT[kind])
            self.fetched[kind] |= ids
        return requests


def request_ratios(mode: str) -> list[tuple[str, int, int]]:
    """(run, requests served, lower bound) for the three runs in one API mode."""
    rows = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        ReplicaServer(mode=mode, catalog=Catalog.generate(seed=42)) as server,
    ):
        settings = Settings.resolve(Path(tmp) / "data")
        source_args = replica_source_args(server)
        bound = LowerBound(mode)
        for label, day in RUNS:
            server.set_day(day)
            before = server.request_count
            expected = bound.next_run(server, list(source_args["playlists"]))
            steps.extract(settings, source_args)
            rows.append((label, server.request_count - before, expected))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", choices=sorted(PAGE_LIMIT), default=list(PAGE_LIMIT))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(f"{'mode':<8} {'run':<16} {'requests':>8} {'lower bound':>11} {'ratio':>6}")
    for mode in args.modes:
        for label, requests, bound in request_ratios(mode):
            print(f"{mode:<8} {label:<16} {requests:>8} {bound:>11} {requests / bound:>6.2f}")


if __name__ == "__main__":
    main()
