"""Demo mode: with no Spotify credentials, run against the bundled local API replica."""

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import dlt

from ingestion.spotify_replica import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    Catalog,
    ReplicaServer,
)

logger = logging.getLogger(__name__)

# Day 0 of the simulated catalog; one simulated day per calendar day, so a daily
# schedule sees the demo playlists change like real ones.
DEMO_EPOCH = date(2026, 1, 1)


@dataclass
class SpotifyAccess:
    """How the source reaches an API: explicit values override dlt's config and secrets."""

    demo: bool
    source_args: dict = field(default_factory=dict)
    server: ReplicaServer | None = None
    # When the records are observed: the simulated day in demo mode (at the current time
    # of day), so that runs over several simulated days build a day-by-day history.
    observed_at: datetime | None = None


def has_credentials() -> bool:
    """True when a Spotify client id is configured (env or .dlt/secrets.toml)."""
    try:
        return bool(dlt.secrets.get("sources.spotify.client_id"))
    except Exception:  # an unreadable secrets.toml is reported by the real run
        return False


@contextmanager
def spotify_access(force_demo: bool = False, day: int | None = None) -> Iterator[SpotifyAccess]:
    """Yield how to reach Spotify; starts (and stops) the replica in demo mode."""
    if has_credentials() and not force_demo:
        yield SpotifyAccess(demo=False)
        return
    catalog = Catalog.generate(seed=42)
    if day is None and os.environ.get("SPOTIFY_ELT_DEMO_DAY"):
        day = int(os.environ["SPOTIFY_ELT_DEMO_DAY"])
    simulated_day = day if day is not None else max((date.today() - DEMO_EPOCH).days, 0)
    with ReplicaServer(mode="current", catalog=catalog, day=simulated_day) as server:
        logger.info(
            "demo mode: no Spotify credentials configured, using the local replica at %s "
            "(simulated day %d)",
            server.api_base_url,
            simulated_day,
        )
        yield SpotifyAccess(
            demo=True,
            server=server,
            source_args=replica_source_args(server),
            observed_at=simulated_moment(simulated_day),
        )


def simulated_moment(simulated_day: int) -> datetime:
    """Now's time of day (UTC) on the simulated day's date."""
    now = datetime.now(UTC)
    day = DEMO_EPOCH + timedelta(days=simulated_day)
    return datetime.combine(day, time(now.hour, now.minute, now.second, now.microsecond), UTC)


def replica_source_args(server: ReplicaServer, user_token: bool = True) -> dict:
    """Arguments of `spotify_source` that read the replica's playlists as its demo user."""
    return {
        "playlists": list(server.user_playlist_ids),
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
        "refresh_token": DEMO_REFRESH_TOKEN if user_token else None,
        "api_base_url": server.api_base_url,
        "accounts_base_url": server.accounts_base_url,
        "api_mode": server.mode,
    }
