"""A local replica of the Spotify Web API, for demo mode, tests and benchmarks.

    from ingestion.spotify_replica import Catalog, ReplicaServer

    with ReplicaServer(mode="current", catalog=Catalog.generate(seed=42)) as server:
        server.api_base_url  # http://127.0.0.1:PORT/v1

See README.md in this folder.
"""

from ingestion.spotify_replica.catalog import (
    EDITORIAL_PREFIXES,
    TOP50_GLOBAL_ID,
    Catalog,
    Entry,
    PlaylistSnapshot,
)
from ingestion.spotify_replica.server import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    DEMO_SCOPE,
    LoggedRequest,
    ReplicaServer,
)

__all__ = [
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_REFRESH_TOKEN",
    "DEMO_SCOPE",
    "EDITORIAL_PREFIXES",
    "TOP50_GLOBAL_ID",
    "Catalog",
    "Entry",
    "LoggedRequest",
    "PlaylistSnapshot",
    "ReplicaServer",
]
