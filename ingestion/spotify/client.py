"""The spotipy client, pointed at Spotify or the local replica, with bounded retries.

spotipy has no base-URL argument: we set `sp.prefix` and the auth managers'
`OAUTH_TOKEN_URL`. Its default retry adapter sleeps for the full Retry-After,
which Spotify sometimes sets to hours; ours gives up past a limit instead, so a
run fails fast with a clear message and the data already landed stays. A 5xx and
a read timeout are asked again with backoff; every body is checked (bodies.py)
before spotipy parses it.
"""

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import spotipy
from requests import Response
from requests.adapters import HTTPAdapter
from spotipy.cache_handler import MemoryCacheHandler
from urllib3.exceptions import (
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ResponseError,
)
from urllib3.exceptions import TimeoutError as Urllib3Timeout
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
    UnusableResponse,
)
from ingestion.spotify import settings
from ingestion.spotify.bodies import BodyCheck

logger = logging.getLogger(__name__)

# spotipy logs request headers and token bodies at DEBUG: keep secrets out of logs.
logging.getLogger("spotipy").setLevel(logging.INFO)


class _RetryWarningFilter(logging.Filter):
    """urllib3 warns with its Retry object's repr before asking again after a read
    timeout; BoundedRetry logs one readable line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Retrying (")  # third-party text


logging.getLogger("urllib3.connectionpool").addFilter(_RetryWarningFilter())


# The kinds of request a run makes, in the order the summary lists them.
REQUEST_KINDS = ("token", "me", "playlist", "entries", "artists", "albums", "other")


def request_kind(url: str) -> str:
    """What a request URL asks for: token, me, playlist, entries, artists, albums, other."""
    path = urlsplit(url).path.rstrip("/")
    if path.endswith("/api/token"):
        return "token"
    parts = path.split("/v1/", 1)[-1].split("/")
    match parts:
        case ["me", *_]:
            return "me"
        case ["playlists", _]:
            return "playlist"
        case ["playlists", _, "items" | "tracks"]:
            return "entries"
        case ["artists", *_]:
            return "artists"
        case ["albums", *_]:
            return "albums"
    return "other"


@dataclass
class RequestStats:
    """Counts what one run asked of the API, for the closing summary.

    `requests` counts HTTP answers the client received, retries included, so it
    matches what the server saw (a request that timed out and was asked again
    counts too, with status 0: no answer); `retries` how many of them were retried,
    and `waited_seconds` how long Retry-After made the run wait.
    """

    requests: int = 0
    retries: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    waited_seconds: float = 0.0

    def record(self, response: Response, *args: Any, **kwargs: Any) -> None:
        self.count(response.url, response.status_code)

    def count(self, url: str, status: int) -> None:
        self.requests += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1
        kind = request_kind(url)
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1


class BoundedRetry(Retry):
    """urllib3 Retry that waits out a Retry-After only up to `max_retry_after` seconds,
    and only while the run's waiting budget (`max_wait_total`) lasts.

    Every retried answer is counted in `stats` here, because the session's
    response hook only sees the last answer of a retried request.
    """

    def __init__(
        self,
        *args: Any,
        max_retry_after: float = 60.0,
        max_wait_total: float = 300.0,
        stats: RequestStats | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.max_retry_after = max_retry_after
        self.max_wait_total = max_wait_total
        self.stats = stats

    def new(self, **kw: Any) -> "BoundedRetry":
        retry = super().new(**kw)
        retry.max_retry_after = self.max_retry_after
        retry.max_wait_total = self.max_wait_total
        retry.stats = self.stats
        return retry

    def increment(
        self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None
    ):  # noqa: E501
        if response is not None:
            wait = self.get_retry_after(response)
            waited = self.stats.waited_seconds if self.stats is not None else 0.0
            if wait is not None and (
                wait > self.max_retry_after or waited + wait > self.max_wait_total
            ):
                # With raise_on_status=False urllib3 hands the 429 back to spotipy,
                # which raises SpotifyException with the Retry-After header intact.
                raise MaxRetryError(_pool, url, ResponseError(f"Retry-After {wait:.0f}s"))
        full_url = f"{_pool.scheme}://{_pool.host}:{_pool.port}{url}" if _pool else url or ""
        unanswered = error is not None and self._is_read_error(error)
        if self.stats is not None and unanswered:
            # A read timeout or a dropped answer: the server got the request, so it counts.
            self.stats.count(full_url, 0)
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if unanswered:
            logger.info("no answer in time from %s; asking again", urlsplit(full_url).path)
        if self.stats is not None and (response is not None or unanswered):
            if response is not None:  # this answer will not reach the response hook
                self.stats.count(full_url, response.status)
            self.stats.retries += 1
            wait = self.get_retry_after(response) if response is not None else None
            if wait is not None:
                self.stats.waited_seconds += wait
        return retry

    def sleep_for_retry(self, response=None) -> bool:
        wait = self.get_retry_after(response) if response is not None else None
        if wait:
            logger.info("Spotify asked to wait %.0f s (Retry-After); waiting", wait)
        return super().sleep_for_retry(response)


@dataclass(frozen=True)
class SpotifyCredentials:
    client_id: str
    client_secret: str
    refresh_token: str | None = None

    def __repr__(self) -> str:  # never show secrets, even in tracebacks
        return f"SpotifyCredentials(client_id={self.client_id[:4]}…, user_token={bool(self.refresh_token)})"  # noqa: E501


def _session(
    stats: RequestStats, max_retries: int, max_retry_after: float, max_wait_total: float
) -> requests.Session:
    retry = BoundedRetry(
        total=max_retries,
        # A host that does not answer (DNS, refused, TLS) does not answer a second later
        # either: no retry storm, one clear error instead. A slow answer (read timeout)
        # is asked again with backoff, like a 5xx.
        connect=0,
        read=max_retries,
        status=max_retries,
        backoff_factor=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "POST"}),
        raise_on_status=False,
        respect_retry_after_header=True,
        max_retry_after=max_retry_after,
        max_wait_total=max_wait_total,
        stats=stats,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.hooks["response"].append(stats.record)
    # After counting: a refused body still was a request the server saw.
    session.hooks["response"].append(BodyCheck(keep_content=_may_keep))
    return session


def _may_keep(url: str) -> bool:
    """Token answers carry secrets: never kept, not even a refused one."""
    return request_kind(url) != "token"


def make_client(
    credentials: SpotifyCredentials,
    api_base_url: str = settings.DEFAULT_API_BASE_URL,
    accounts_base_url: str = settings.DEFAULT_ACCOUNTS_BASE_URL,
    stats: RequestStats | None = None,
    max_retries: int = 5,
    max_retry_after: float = 60.0,
    timeout: float = 20.0,
    max_wait_total: float = 300.0,
) -> spotipy.Spotify:
    """A spotipy client with a user token when a refresh token is given, else an app token."""
    if not credentials.client_id or not credentials.client_secret:
        raise ConfigurationError(
            "Spotify client_id and client_secret are required: set SOURCES__SPOTIFY__CLIENT_ID "
            "and SOURCES__SPOTIFY__CLIENT_SECRET, or [sources.spotify] in .dlt/secrets.toml."
        )
    stats = stats or RequestStats()
    session = _session(stats, max_retries, max_retry_after, max_wait_total)
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
        return _explain_token_error(error, what)
    if isinstance(error, spotipy.SpotifyException):
        status = error.http_status
        message = (error.msg or "").split("\n")[-1].strip()
        if status == 429:
            return _rate_limited(what, (error.headers or {}).get("Retry-After"), message)
        if status == 404:
            return NotFound(f"Not found while {what}: {message}.", status=404)
        if status == 403:
            return Forbidden(
                f"Forbidden while {what}: {message}. Since 2026 development-mode apps can read "
                "playlist entries only of playlists the user owns or collaborates on, with a "
                "user token: run `spotify-elt auth` once, and register the user in the app's "
                "dashboard. `spotify-elt doctor` checks each of these.",
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
        return _unreachable(error, what)
    if isinstance(error, ValueError):
        return MalformedResponse(f"Spotify sent a response that is not valid JSON while {what}.")
    return SpotifyApiError(f"Unexpected error while {what}: {error}")


def _rate_limited(what: str, wait: str | None, message: str) -> RateLimited:
    after = f" (Retry-After: {wait} s)" if wait else ""
    return RateLimited(
        f"Spotify rate limit while {what}{after}: {message}. Everything fetched so far "
        "was kept; run again later and it continues without duplicates.",
        retry_after=_seconds(wait),
    )


def _explain_token_error(error: spotipy.SpotifyOauthError, what: str) -> SpotifyApiError:
    # spotipy raises SpotifyOauthError inside its `except HTTPError`: the answer is there.
    response = getattr(error.__context__, "response", None)
    status = getattr(response, "status_code", None)
    if status == 429:
        wait = response.headers.get("Retry-After") if response is not None else None
        return _rate_limited(f"{what} (token endpoint)", wait, "too many requests")
    if status is not None and status >= 500:
        return SpotifyApiError(
            f"Spotify's accounts service answered {status} while {what}: a problem on "
            "Spotify's side, not your credentials. Run again later.",
            status,
        )
    return Unauthorized(
        f"Spotify refused the credentials while {what} ({error.error}: "
        f"{error.error_description}). Check client_id/client_secret; if you use a user "
        "token, run `spotify-elt auth` again to get a new refresh token.",
        status=status or 400,
    )


def _unreachable(error: requests.RequestException, what: str) -> Unreachable:
    request = getattr(error, "request", None)
    url = getattr(request, "url", None) or ""
    parts = urlsplit(url)
    host = parts.netloc or "the Spotify API"
    reason = getattr(error.args[0] if error.args else None, "reason", None)
    if isinstance(error, requests.exceptions.SSLError):
        kind = "the TLS handshake failed"
    elif isinstance(error, requests.exceptions.ProxyError):
        kind = "the proxy refused the connection"
    elif isinstance(reason, NameResolutionError):
        kind = "its name does not resolve (DNS)"
    elif isinstance(reason, NewConnectionError):
        # urllib3 2 derives NewConnectionError from its timeout error: test it first
        kind = "the connection was refused or dropped"
    elif isinstance(error, requests.exceptions.Timeout) or isinstance(reason, Urllib3Timeout):
        kind = "it did not answer in time"
    elif isinstance(error, requests.exceptions.ConnectionError):
        kind = "the connection was refused or dropped"
    else:
        kind = error.__class__.__name__
    return Unreachable(
        f"Could not reach {host} while {what}: {kind}. Check the network connection, the "
        "proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), and SPOTIFY_API_BASE_URL / "
        "SPOTIFY_ACCOUNTS_BASE_URL if you set them. Nothing else was requested.",
        host=parts.hostname or "",
    )


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def get_json(client: spotipy.Spotify, path: str, what: str, **params: Any) -> dict[str, Any]:
    """GET a path (relative to the API base, or an absolute `next` URL) as a JSON object.

    A 401 on an API call (a token revoked or expired early) refreshes the token once
    and asks again.
    """
    try:
        try:
            result = client._get(path, **params)
        except spotipy.SpotifyException as exc:
            if exc.http_status != 401 or not _expire_cached_token(client):
                raise
            logger.info("401 while %s: refreshing the access token once", what)
            result = client._get(path, **params)
    except (spotipy.SpotifyException, spotipy.SpotifyOauthError, requests.RequestException) as exc:
        raise explain(exc, what) from None
    except UnusableResponse as exc:
        raise UnusableResponse(
            f"Spotify sent a response that cannot be used while {what}: {exc.reason}.",
            reason=exc.reason,
            content=exc.content,
            url=exc.url,
        ) from None
    # spotipy turns an undecodable body into None; an API object is always a dict.
    if not isinstance(result, dict):
        raise MalformedResponse(
            f"Spotify sent a malformed response while {what} (expected a JSON object). "
            "Nothing was lost; run again."
        )
    return result


def _expire_cached_token(client: spotipy.Spotify) -> bool:
    """Mark the cached access token expired, so the next call gets a new one."""
    handler = getattr(client.auth_manager, "cache_handler", None)
    token = handler.get_cached_token() if handler is not None else None
    if not token:
        return False
    handler.save_token_to_cache({**token, "expires_at": 0})
    return True
