"""`spotify-elt auth`: the authorization-code flow once, keeping only the refresh token.

Since 2026 development-mode apps read `/playlists/{id}/items` only with a user
token. The refresh token lets every later (unattended) run get one.
"""

import http.server
import os
import secrets
import urllib.parse
import webbrowser
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
        code = _authorization_code(oauth, open_browser)
        token = oauth.get_access_token(code, as_dict=True, check_cache=False)
    except spotipy.SpotifyOauthError as error:
        raise SpotifyApiError(
            f"Spotify refused the authorisation ({error.error}: {error.error_description}). "
            "Check that the redirect URI is registered in your app's dashboard."
        ) from None
    refresh_token = (token or {}).get("refresh_token")
    if not refresh_token:
        raise SpotifyApiError("Spotify returned no refresh token; run `spotify-elt auth` again.")
    store_secret(secrets_file, "refresh_token", refresh_token)


def _authorization_code(oauth: spotipy.SpotifyOAuth, open_browser: bool) -> str:
    """The code of one consent, from a callback that carries back this consent's state.

    A fresh random `state` goes into the consent link; a redirect without it (forged, or
    from another attempt) is refused. spotipy checks state too, but fails with a
    TypeError when the callback has none, so the check is ours.
    """
    state = secrets.token_urlsafe(24)
    url = oauth.get_authorize_url(state=state)
    if open_browser:
        response = _wait_for_callback(oauth.redirect_uri, url)
    else:
        print(f"Go to the following URL: {url}", flush=True)  # noqa: T201 – the user's step
        response = input("Enter the URL you were redirected to: ")
    received_state, code = spotipy.SpotifyOAuth.parse_auth_response_url(response)
    if received_state != state:
        raise SpotifyApiError(
            "The authorisation callback did not carry the state this consent sent, so it was "
            "refused (it may not come from Spotify). Run `spotify-elt auth` again and use the "
            "link it prints."
        )
    if not code:
        raise SpotifyApiError(
            "The authorisation callback carried no code (consent declined?). Run "
            "`spotify-elt auth` again and agree on Spotify's page."
        )
    return code


def _wait_for_callback(redirect_uri: str, consent_url: str) -> str:
    """Open the consent page in a browser and return the URL it redirects to on loopback."""
    redirect = urllib.parse.urlparse(redirect_uri)
    if redirect.hostname not in ("127.0.0.1", "localhost") or not redirect.port:
        raise ConfigurationError(
            f"The redirect URI {redirect_uri} is not on this machine (127.0.0.1 with a port): "
            "use `spotify-elt auth --no-browser` and paste the address the browser shows."
        )
    received: list[str] = []

    class Callback(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 – http.server's name
            received.append(
                f"{redirect_uri.split('?')[0]}?{urllib.parse.urlsplit(self.path).query}"
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"spotify-elt: authorisation received, you can close this tab.")

        def log_message(self, *args: object) -> None:  # keep the code out of the terminal
            pass

    with http.server.HTTPServer((redirect.hostname, redirect.port), Callback) as server:
        server.timeout = 300
        print(f"Opening {consent_url}", flush=True)  # noqa: T201 – the user's step
        webbrowser.open(consent_url)
        server.handle_request()
    if not received:
        raise SpotifyApiError("No authorisation arrived within 5 minutes; run it again.")
    return received[0]


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
