"""`spotify-elt auth`: the authorization-code flow once, keeping only the refresh token.

Since 2026 development-mode apps read `/playlists/{id}/items` only with a user
token. The refresh token lets every later (unattended) run get one.
"""

import os
from pathlib import Path

import dlt
import spotipy
import tomlkit
from spotipy.cache_handler import MemoryCacheHandler

from ingestion.errors import ConfigurationError, SpotifyApiError
from ingestion.spotify import settings


def authorize(
    secrets_file: Path,
    redirect_uri: str | None = None,
    open_browser: bool = True,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> None:
    """Run the consent flow and write `[sources.spotify] refresh_token` to secrets_file."""
    client_id = client_id or dlt.secrets.get("sources.spotify.client_id")
    client_secret = client_secret or dlt.secrets.get("sources.spotify.client_secret")
    if not client_id or not client_secret:
        raise ConfigurationError(
            "Set your app's client_id and client_secret first (SOURCES__SPOTIFY__CLIENT_ID / "
            "SOURCES__SPOTIFY__CLIENT_SECRET, or [sources.spotify] in .dlt/secrets.toml)."
        )
    accounts = os.environ.get("SPOTIFY_ACCOUNTS_BASE_URL", settings.DEFAULT_ACCOUNTS_BASE_URL)
    oauth = spotipy.SpotifyOAuth(
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri or settings.DEFAULT_REDIRECT_URI,
        scope=settings.USER_SCOPE,
        open_browser=open_browser,
        cache_handler=MemoryCacheHandler(),
    )
    oauth.OAUTH_AUTHORIZE_URL = accounts.rstrip("/") + "/authorize"
    oauth.OAUTH_TOKEN_URL = accounts.rstrip("/") + "/api/token"
    try:
        token = oauth.get_access_token(as_dict=True, check_cache=False)
    except spotipy.SpotifyOauthError as error:
        raise SpotifyApiError(
            f"Spotify refused the authorisation ({error.error}: {error.error_description}). "
            "Check that the redirect URI is registered in your app's dashboard."
        ) from None
    refresh_token = (token or {}).get("refresh_token")
    if not refresh_token:
        raise SpotifyApiError("Spotify returned no refresh token; run `spotify-elt auth` again.")
    store_secret(secrets_file, "refresh_token", refresh_token)


def store_secret(secrets_file: Path, key: str, value: str) -> None:
    """Set `[sources.spotify] key = value`, keeping the rest of the file as it was."""
    secrets_file.parent.mkdir(parents=True, exist_ok=True)
    document = (
        tomlkit.parse(secrets_file.read_text()) if secrets_file.exists() else tomlkit.document()
    )
    sources = document.setdefault("sources", tomlkit.table())
    spotify = sources.setdefault("spotify", tomlkit.table())
    spotify[key] = value
    secrets_file.write_text(tomlkit.dumps(document))
    secrets_file.chmod(0o600)
