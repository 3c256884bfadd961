"""Serve the replica until Ctrl-C: `python -m ingestion.spotify_replica --mode current`."""

import argparse
import logging
import signal
import threading

from ingestion.spotify_replica import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    Catalog,
    ReplicaServer,
)


def _stop_on_signals(stop: threading.Event) -> None:
    """Ctrl-C and SIGTERM end the serve loop.

    Set explicitly: a process started in the background by a non-interactive shell
    inherits an ignored SIGINT, and Python then never raises KeyboardInterrupt.
    """
    if threading.current_thread() is not threading.main_thread():
        return  # serve() run in a thread (tests) is stopped through `stop`
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())


def serve(
    mode: str = "current",
    port: int = 8765,
    day: int = 0,
    seed: int = 42,
    host: str = "127.0.0.1",
    n_playlists: int = 5,
    tracks_per_playlist: int = 40,
    long_playlist_tracks: int = 130,
    stop: threading.Event | None = None,
) -> None:
    """Run a replica in the foreground, print how to reach it, return on Ctrl-C (or `stop`)."""
    catalog = Catalog.generate(
        seed=seed,
        n_playlists=n_playlists,
        tracks_per_playlist=tracks_per_playlist,
        long_playlist_tracks=long_playlist_tracks,
    )
    with ReplicaServer(mode=mode, catalog=catalog, day=day, host=host, port=port) as server:
        # This is the command's output, for a person at a terminal: print, not logging.
        print(f"Spotify Web API replica ({mode} mode, seed {seed}, simulated day {day})")
        print(f"  API:       {server.api_base_url}")
        print(f"  accounts:  {server.accounts_base_url}  (token: /api/token, consent: /authorize)")
        print(f"  client id:     {DEMO_CLIENT_ID}")
        print(f"  client secret: {DEMO_CLIENT_SECRET}")
        print(f"  refresh token: {DEMO_REFRESH_TOKEN}")
        print(f"  your playlists:  {', '.join(server.user_playlist_ids)}")
        print(f"  someone else's:  {', '.join(server.foreign_playlist_ids)}")
        print(f"  editorial:       {', '.join(server.editorial_playlist_ids)}")
        print("  e.g.  export SPOTIFY_API_BASE_URL=" + server.api_base_url)
        print("        export SPOTIFY_ACCOUNTS_BASE_URL=" + server.accounts_base_url)
        print("Ctrl-C to stop.", flush=True)
        stop = stop or threading.Event()
        _stop_on_signals(stop)
        while not stop.wait(timeout=0.2):
            pass
        print(f"stopped after {server.request_count} requests")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m ingestion.spotify_replica", description=__doc__
    )
    parser.add_argument("--mode", choices=["current", "legacy"], default="current")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--day", type=int, default=0, help="simulated day (0, 1, 2...)")
    parser.add_argument("--playlists", type=int, default=5, help="playlists of the demo user")
    parser.add_argument("--tracks", type=int, default=40, help="entries per playlist")
    parser.add_argument("--long", type=int, default=130, help="entries of the long playlist")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    serve(
        mode=args.mode,
        port=args.port,
        day=args.day,
        seed=args.seed,
        host=args.host,
        n_playlists=args.playlists,
        tracks_per_playlist=args.tracks,
        long_playlist_tracks=args.long,
    )


if __name__ == "__main__":
    main()
