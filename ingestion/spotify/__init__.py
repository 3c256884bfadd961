"""The Spotify Web API as a dlt source (source.py), on spotipy (client.py).

references.py parses playlist URLs/URIs/ids, settings.py holds the API's constants,
auth.py runs the one-time OAuth consent that stores a user's refresh token.
"""

from ingestion.spotify.source import (
    ExtractReport,
    configured_source,
    entry_item,
    referenced_ids,
    spotify_source,
)

__all__ = ["ExtractReport", "configured_source", "entry_item", "referenced_ids", "spotify_source"]
