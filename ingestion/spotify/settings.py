"""Constants of the Spotify Web API."""

from typing import Final

DEFAULT_API_BASE_URL: Final = "https://api.spotify.com/v1"
DEFAULT_ACCOUNTS_BASE_URL: Final = "https://accounts.spotify.com"

# Page sizes: /items (2026) documents at most 50, the legacy /tracks 100.
ITEMS_PAGE_LIMIT: Final = 50
TRACKS_PAGE_LIMIT: Final = 100
# No playlist holds more (Spotify's limit): a paging object's `total` above it is not
# believed, so a lying total cannot make the paging run on.
MAX_PAGED_ITEMS: Final = 10_000
# Batch endpoints, legacy API only (removed for development-mode apps in 2026).
ARTISTS_BATCH_LIMIT: Final = 50
ALBUMS_BATCH_LIMIT: Final = 20

# Spotify-owned editorial/algorithmic playlists: 404 for new apps since 27 Nov 2024.
EDITORIAL_PLAYLIST_PREFIXES: Final = ("37i9dQZF1", "37i9dQZEVX")

# Scope a user token needs to read the user's own and collaborative playlists.
USER_SCOPE: Final = "playlist-read-private playlist-read-collaborative"
DEFAULT_REDIRECT_URI: Final = "http://127.0.0.1:8888/callback"

API_MODES: Final = ("auto", "current", "legacy")
# GET /me/playlists: at most 50 per page.
MY_PLAYLISTS_PAGE_LIMIT: Final = 50
