"""The spotipy client, pointed at Spotify or the local replica, with bounded retries.

spotipy has no base-URL argument: we set `sp.prefix` and the auth managers'
`OAUTH_TOKEN_URL`. Its default retry adapter sleeps for the full Retry-After,
which Spotify sometimes sets to hours; ours gives up past a limit instead, so a
run fails fast with a clear message and the data already landed stays.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
import spotipy
from requests import Response
from requests.adapters import HTTPAdapter
from spotipy.cache_handler import MemoryCacheHandler
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from ingestion.errors import (
    ConfigurationError,
    Forbidden,
    MalformedResponse,
    NotFound,
    RateLimited,
    SpotifyApiError,
    Unauthorized,
    Unreachable,
)
from ingestion.spotify import settings

logger = logging.getLogger(__name__)

# spotipy logs request headers and token bodies at DEBUG: keep secrets out of logs.
logging.getLogger("spotipy").setLevel(logging.INFO)


@dataclass
class RequestStats:
    """Counts what one run asked of the API, for the closing summary."""

    requests: int = 0
    retries: int = 0
    by_status: dict[int, int] = field(default_factory=dict)

    def record(self, response: Response, *args: Any, **kwargs: Any) -> None:
        self.requests += 1
        self.by_status[response.status_code] = self.by_status.get(response.status_code, 0) + 1


class BoundedRetry(Retry):
    """urllib3 Retry that refuses to sleep longer than `max_retry_after` seconds."""

    def __init__(
        self,
        *args: Any,
        max_retry_after: float = 60.0,
        stats: RequestStats | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.max_retry_after = max_retry_after
        self.stats = stats

    def new(self, **kw: Any) -> "BoundedRetry":
        retry = super().new(**kw)
        retry.max_retry_after = self.max_retry_after
        retry.stats = self.stats
        return retry

    def increment(
        self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None
    ):  # noqa: E501
        if response is not None:
            wait = self.get_retry_after(response)
            if wait is not None and wait > self.max_retry_after:
                # With raise_on_status=False urllib3 hands the 429 back to spotipy,
                # which raises SpotifyException with the Retry-After header intact.
                raise MaxRetryError(_pool, url, ResponseError(f"Retry-After {wait:.0f}s"))
        if self.stats is not None:
            self.stats.retries += 1
        return super().increment(method, url, response, error, _pool, _stacktrace)


@dataclass(frozen=True)
class SpotifyCredentials:
    client_id: str
    client_secret: str
    refresh_token: str | None = None

    def __repr__(self) -> str:  # never show secrets, even in tracebacks
        return f"SpotifyCredentials(client_id={self.client_id[:4]}…, user_token={bool(self.refresh_token)})"  # noqa: E501


def _session(stats: RequestStats, max_retries: int, max_retry_after: float) -> requests.Session:
    retry = BoundedRetry(
        total=max_retries,
        connect=max_retries,
        read=False,
        status=max_retries,
        backoff_factor=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "POST"}),
        raise_on_status=False,
        respect_retry_after_header=True,
        max_retry_after=max_retry_after,
        stats=stats,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.hooks["response"].append(stats.record)
    return session


def make_client(
    credentials: SpotifyCredentials,
    api_base_url: str = settings.DEFAULT_API_BASE_URL,
    accounts_base_url: str = settings.DEFAULT_ACCOUNTS_BASE_URL,
    stats: RequestStats | None = None,
    max_retries: int = 5,
    max_retry_after: float = 60.0,
    timeout: float = 20.0,
) -> spotipy.Spotify:
    """A spotipy client with a user token when a refresh token is given, else an app token."""
    if not credentials.client_id or not credentials.client_secret:
        raise ConfigurationError(
            "Spotify client_id and client_secret are required: set SOURCES__SPOTIFY__CLIENT_ID "
            "and SOURCES__SPOTIFY__CLIENT_SECRET, or [sources.spotify] in .dlt/secrets.toml."
        )
    stats = stats or RequestStats()
    session = _session(stats, max_retries, max_retry_after)
    token_url = accounts_base_url.rstrip("/") + "/api/token"
    auth: spotipy.oauth2.SpotifyAuthBase
    if credentials.refresh_token:
        auth = spotipy.SpotifyOAuth(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            redirect_uri=settings.DEFAULT_REDIRECT_URI,
            scope=settings.USER_SCOPE,
            # An expired cached token with our refresh token: spotipy refreshes it
            # on first use and never prompts.
            cache_handler=MemoryCacheHandler(
                token_info={
                    "access_token": "",
                    "refresh_token": credentials.refresh_token,
                    "expires_at": 0,
                    "scope": settings.USER_SCOPE,
                }
            ),
            open_browser=False,
            requests_session=session,
            requests_timeout=timeout,
        )
    else:
        auth = spotipy.SpotifyClientCredentials(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            # spotipy's default cache writes the token to ./.cache: keep it in memory.
            cache_handler=MemoryCacheHandler(),
            requests_session=session,
            requests_timeout=timeout,
        )
    auth.OAUTH_TOKEN_URL = token_url
    client = spotipy.Spotify(auth_manager=auth, requests_session=session, requests_timeout=timeout)
    client.prefix = api_base_url.rstrip("/") + "/"
    client.stats = stats  # type: ignore[attr-defined]
    return client


def explain(error: Exception, what: str) -> SpotifyApiError:
    """Turn a spotipy/requests error into our typed error, with advice for the user."""
    if isinstance(error, spotipy.SpotifyOauthError):
        return Unauthorized(
            f"Spotify refused the credentials while {what} ({error.error}: "
            f"{error.error_description}). Check client_id/client_secret; if you use a user "
            "token, run `spotify-elt auth` again to get a new refresh token.",
            status=400,
        )
    if isinstance(error, spotipy.SpotifyException):
        status = error.http_status
        message = (error.msg or "").split("\n")[-1].strip()
        if status == 429:
            wait = (error.headers or {}).get("Retry-After")
            after = f" (Retry-After: {wait} s)" if wait else ""
            return RateLimited(
                f"Spotify rate limit while {what}{after}: {message}. Everything fetched so far "
                "was kept; run again later and it continues without duplicates.",
                retry_after=_seconds(wait),
            )
        if status == 404:
            return NotFound(f"Not found while {what}: {message}.", status=404)
        if status == 403:
            return Forbidden(
                f"Forbidden while {what}: {message}. Since 2026 development-mode apps can read "
                "playlist entries only of playlists the user owns or collaborates on, with a "
                "user token: run `spotify-elt auth` once, and register the user in the app's "
                "dashboard.",
                status=403,
            )
        if status == 401:
            return Unauthorized(
                f"Unauthorised while {what}: {message}. Check the credentials, or run "
                "`spotify-elt auth` again.",
                status=401,
            )
        return SpotifyApiError(f"Spotify answered {status} while {what}: {message}.", status)
    if isinstance(error, requests.RequestException):
        return Unreachable(f"Could not reach Spotify while {what}: {error.__class__.__name__}.")
    if isinstance(error, ValueError):
        return MalformedResponse(f"Spotify sent a response that is not valid JSON while {what}.")
    return SpotifyApiError(f"Unexpected error while {what}: {error}")


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def get_json(client: spotipy.Spotify, path: str, what: str, **params: Any) -> dict[str, Any]:
    """GET a path (relative to the API base, or an absolute `next` URL) as a JSON object."""
    try:
        result = client._get(path, **params)
    except (spotipy.SpotifyException, spotipy.SpotifyOauthError, requests.RequestException) as exc:
        raise explain(exc, what) from None
    # spotipy turns an undecodable body into None; an API object is always a dict.
    if not isinstance(result, dict):
        raise MalformedResponse(
            f"Spotify sent a malformed response while {what} (expected a JSON object). "
            "Nothing was lost; run again."
        )
    return result


def iter_pages(client: spotipy.Spotify, path: str, what: str, **params: Any) -> Iterator[dict]:
    """Follow a paging object's absolute `next` URLs to the end."""
    yield from follow_pages(client, get_json(client, path, what, **params), what)


def follow_pages(client: spotipy.Spotify, first: dict, what: str) -> Iterator[dict]:
    """Yield a first page and the pages after it, until `next` is null."""
    page = first
    while True:
        if not isinstance(page.get("items"), list):
            raise MalformedResponse(f"Spotify sent a page without `items` while {what}.")
        yield page
        next_url = page.get("next")
        if not next_url:
            return
        page = get_json(client, next_url, what)
