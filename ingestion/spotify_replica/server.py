"""A local HTTP replica of the Spotify Web API and of its accounts service (OAuth tokens).

Standard library only: `http.server.ThreadingHTTPServer` on 127.0.0.1, responses
built from a `Catalog` on every request. See README.md for what each mode does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from ingestion.spotify_replica.catalog import (
    EDITORIAL_PREFIXES,
    Catalog,
    PlaylistSnapshot,
    User,
)
from ingestion.spotify_replica.faults import Alter, body_fault, paging_fault
from ingestion.spotify_replica.fields import FieldsError, apply_fields, parse_fields
from ingestion.spotify_replica.render import MODES, Renderer

logger = logging.getLogger(__name__)

# Demo credentials the replica accepts (not secrets: they only open this local server).
DEMO_CLIENT_ID = "de30c11e470000000000000000000000"
DEMO_CLIENT_SECRET = "de305ec7e70000000000000000000000"
DEMO_REFRESH_TOKEN = "AQDdemo-refresh-token-for-the-local-spotify-replica"
DEMO_SCOPE = "playlist-read-private playlist-read-collaborative"

# Spotify's 403 bodies for the account problems (captured: spotify-reference/errors/).
PREMIUM_REQUIRED_MESSAGE = (
    "Active premium subscription required for the owner of the app. When the subscription "
    "status changes, it can take a few hours before requests are allowed again."
)
USER_NOT_REGISTERED_MESSAGE = (
    "Check settings on developer.spotify.com/dashboard, the user may not be registered."
)
INSUFFICIENT_SCOPE_MESSAGE = "Insufficient client scope"

_BASE62_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_MARKET = re.compile(r"^([A-Z]{2}|from_token)$")
_AUTH_CODE_TTL = 600.0
_DEFAULT_MESSAGES = {
    400: "Bad request",
    401: "Invalid access token",
    403: "Forbidden",
    404: "Resource not found",
    429: "API rate limit exceeded",
    500: "Server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


class ApiError(Exception):
    """An error answered with Spotify's body `{"error": {"status", "message"}}`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class AccountsError(Exception):
    """An error of the accounts service: flat `{"error", "error_description"}`, status 400."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class LoggedRequest(NamedTuple):
    method: str
    path: str  # with its query string
    status: int


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the answer goes out (a hanging server)


@dataclass(slots=True)
class _Token:
    kind: str  # "app" (client credentials) or "user"
    client_id: str
    expires_at: float  # time.monotonic()
    user: User | None = None
    scope: str = ""


@dataclass(slots=True)
class _Grant:
    client_id: str
    user: User
    scope: str
    redirect_uri: str = ""
    code_challenge: str | None = None
    expires_at: float = 0.0


@dataclass(slots=True)
class _Fault:
    status: int  # an error answered instead of the real answer; 0: the real answer...
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    malformed: bool = False  # ...cut short
    alter: Alter | None = None  # ...with its body altered (faults.py)
    delay: float = 0.0  # ...late
    stuck: bool = False  # ...of offset 0, whatever offset was asked for

    @property
    def normal(self) -> bool:
        return not (self.status or self.malformed or self.alter or self.delay or self.stuck)


def _json(status: int, obj: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(
        status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    )


def _error_body(status: int, message: str, reason: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "message": message}
    if reason:
        error["reason"] = reason
    return {"error": error}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Do not wait for idle keep-alive connections on close; stop() shuts them down.
    block_on_close = False

    def __init__(self, address: tuple[str, int], replica: ReplicaServer) -> None:
        self.replica = replica
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API
    server_version = "SpotifyReplica/1.0"
    timeout = 60  # idle keep-alive connections end after this
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle plus delayed ACKs
        # add ~40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with suppress(OSError):
            super().finish()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.server.replica.handle(self.command, self.path, self.headers, body)
        if response.delay:
            time.sleep(response.delay)
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a delayed answer)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        logger.debug("%s %s", self.address_string(), format % args)


class ReplicaServer:
    """A local Spotify Web API: real HTTP on 127.0.0.1, a seeded catalog, injectable faults.

    `mode="current"` behaves like the 2026 API for development-mode apps,
    `mode="legacy"` like the API before it (and for extended-quota apps).
    Use as a context manager, or call `start()` and `stop()`.
    """

    def __init__(
        self,
        mode: str = "current",
        catalog: Catalog | None = None,
        day: int = 0,
        token_ttl_seconds: float = 3600,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        dual_keys: bool = False,
        client_id: str = DEMO_CLIENT_ID,
        client_secret: str = DEMO_CLIENT_SECRET,
        refresh_token: str = DEMO_REFRESH_TOKEN,
        auto_approve: bool = True,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if token_ttl_seconds <= 0:
            raise ValueError("token_ttl_seconds must be > 0")
        self.mode = mode
        self.catalog = catalog if catalog is not None else Catalog.generate(seed=42)
        self.token_ttl_seconds = token_ttl_seconds
        self.host = host
        self.dual_keys = dual_keys
        # False: the consent screen answers `error=access_denied`, as when a user clicks Cancel.
        self.auto_approve = auto_approve
        self._requested_port = port
        self._clients = {client_id: client_secret}
        self._lock = threading.Lock()
        self._tokens: dict[str, _Token] = {}
        self._refresh_tokens = {
            refresh_token: _Grant(client_id, self.catalog.demo_user, DEMO_SCOPE)
        }
        self._codes: dict[str, _Grant] = {}
        self._faults: dict[str, deque[_Fault]] = {"api": deque(), "token": deque()}
        # The app's account (see set_account): the owner's Premium, the user's registration.
        self.owner_premium = True
        self.user_registered = True
        self._log: list[LoggedRequest] = []
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._renderer: Renderer | None = None
        self._snapshots: dict[str, PlaylistSnapshot] = {}
        self.set_day(day)

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            raise RuntimeError("the replica is already started")
        self._httpd = _HTTPServer((self.host, self._requested_port), self)
        self._renderer = Renderer(self.api_base_url, self.mode, self.dual_keys)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"spotify-replica-{self.port}",
            daemon=True,
        )
        self._thread.start()
        logger.info("Spotify replica (%s mode) at %s", self.mode, self.api_base_url)
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        with httpd.connections_lock:
            open_connections = list(httpd.connections)
        for connection in open_connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        logger.info("Spotify replica stopped after %d requests", self.request_count)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- addresses and catalog views --------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the replica is not started")
        return self._httpd.server_address[1]

    @property
    def accounts_base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        return f"{self.accounts_base_url}/v1"

    @property
    def token_url(self) -> str:
        return f"{self.accounts_base_url}/api/token"

    @property
    def authorize_url(self) -> str:
        return f"{self.accounts_base_url}/authorize"

    @property
    def user_playlist_ids(self) -> tuple[str, ...]:
        return self.catalog.user_playlist_ids

    @property
    def foreign_playlist_ids(self) -> tuple[str, ...]:
        return self.catalog.foreign_playlist_ids

    @property
    def editorial_playlist_ids(self) -> tuple[str, ...]:
        return self.catalog.editorial_playlist_ids

    @property
    def day(self) -> int:
        return self._day

    def set_day(self, day: int) -> None:
        """Serve the playlists as they are on another simulated day."""
        snapshots = self.catalog.playlists_on_day(day)
        with self._lock:
            self._day, self._snapshots = day, snapshots

    def playlist_snapshot(self, playlist_id: str) -> PlaylistSnapshot:
        """The playlist as served now (for assertions)."""
        return self._snapshots[playlist_id]

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self._log)

    @property
    def request_log(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    # -- faults and tokens ------------------------------------------------------------------

    def inject_errors(
        self,
        status: int = 429,
        count: int = 1,
        retry_after: int | None = None,
        *,
        message: str | None = None,
        reason: str | None = None,
        endpoint: str = "api",
        after: int = 0,
    ) -> None:
        """The next `count` requests to the API (or the token `endpoint`) fail with `status`.

        A 429 always carries `Retry-After` (default 1 s), as Spotify's do.
        `reason="QUOTA_EXCEEDED"` gives the July 2026 quota body. With `after`, that
        many requests are answered normally first (a failure in the middle of a run).
        """
        if not 400 <= status <= 599:
            raise ValueError("status must be a 4xx or 5xx code")
        if endpoint not in self._faults:
            raise ValueError("endpoint must be 'api' or 'token'")
        if status == 429 and retry_after is None:
            retry_after = 1
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        if reason == "QUOTA_EXCEEDED" and message is None:
            message = "Too many requests"
        text = message or _DEFAULT_MESSAGES.get(status, HTTPStatus(status).phrase)
        if endpoint == "api":
            payload: dict[str, Any] = _error_body(status, text, reason)
        else:
            payload = {"error": "server_error", "error_description": text}
        body = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json; charset=utf-8"
        self._queue_faults(_Fault(status, headers, body), count, after, endpoint)

    def inject_malformed(self, count: int = 1) -> None:
        """The next `count` API requests answer 200 with a truncated, undecodable JSON body."""
        self._queue_faults(_Fault(0, malformed=True), count)

    def inject_paging(
        self,
        fault: str,
        count: int = 1,
        after: int = 0,
        *,
        foreign_base_url: str = "https://api.example.net/v1",
    ) -> None:
        """The paging object in the next `count` API answers gets a hostile `next`.

        `self`: the page's own URL; `back`: the previous page (the page itself at
        offset 0); `foreign`: the next page on `foreign_base_url`, another host;
        `lying_total`: `total` a million and a `next` one page further, even past the
        end (pages there are empty); `stuck`: the first page answered, whatever offset
        was asked for. The paging object is the answer itself, or the first page inside
        a playlist object; other answers go out unchanged.
        """
        if fault == "stuck":
            injected = _Fault(0, stuck=True)
        else:
            injected = _Fault(0, alter=paging_fault(fault, self.api_base_url, foreign_base_url))
        self._queue_faults(injected, count, after)

    def inject_body(
        self, fault: str, count: int = 1, after: int = 0, endpoint: str = "api", **options: Any
    ) -> None:
        """The next `count` API (or token `endpoint`) answers come with a body that
        cannot be used.

        `lone_surrogate`: the first name in the answer becomes `"Broken \\ud800 name"`
        (valid JSON, but no UTF-8 file can hold it); `deep`: a value nested 100,000
        deep; `invalid_utf8`: a 0xFF byte in the first name; `oversized`: padded with
        spaces to `size` bytes (default 33 MiB).
        """
        injected = _Fault(0, alter=body_fault(fault, **options))
        self._queue_faults(injected, count, after, endpoint)

    def inject_delay(self, seconds: float, count: int = 1, after: int = 0) -> None:
        """The next `count` API answers go out `seconds` late (a hanging server)."""
        self._queue_faults(_Fault(0, delay=seconds), count, after)

    def _queue_faults(
        self, fault: _Fault, count: int, after: int = 0, endpoint: str = "api"
    ) -> None:
        with self._lock:
            for _ in range(after):
                self._faults[endpoint].append(_Fault(0))  # answered normally
            for _ in range(count):
                self._faults[endpoint].append(fault)

    def set_account(
        self,
        *,
        owner_premium: bool | None = None,
        user_registered: bool | None = None,
        scope: str | None = None,
    ) -> None:
        """The account problems of 2026 development-mode apps, as Spotify answers them.

        `owner_premium=False`: every API request answers 403 "Active premium
        subscription required for the owner of the app…". `user_registered=False`:
        requests with the demo user's token answer 403 "…the user may not be
        registered." `scope`: what the demo refresh token grants from now on (a token
        without `playlist-read-private` gets 403 "Insufficient client scope" from
        /me/playlists and from the entries of private playlists).
        """
        with self._lock:
            if owner_premium is not None:
                self.owner_premium = owner_premium
            if user_registered is not None:
                self.user_registered = user_registered
            if scope is not None:
                for grant in self._refresh_tokens.values():
                    grant.scope = scope

    def clear_faults(self) -> None:
        with self._lock:
            for queue in self._faults.values():
                queue.clear()

    def expire_tokens(self) -> None:
        """Make every access token issued so far expired (refresh tokens stay valid)."""
        with self._lock:
            for token in self._tokens.values():
                token.expires_at = 0.0

    def _issue(self, kind: str, client_id: str, user: User | None, scope: str) -> dict[str, Any]:
        access = "BQ" + secrets.token_urlsafe(96)
        with self._lock:
            self._tokens[access] = _Token(
                kind, client_id, time.monotonic() + self.token_ttl_seconds, user, scope
            )
        # Spotify's expires_in is whole seconds (3600); never 0 for sub-second test TTLs.
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": max(1, round(self.token_ttl_seconds)),
        }
        if kind == "user":
            body["scope"] = scope
        return body

    # -- dispatch ---------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Response:
        """Answer one request (called by the HTTP handler threads)."""
        split = urlsplit(target)
        path = unquote(split.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        try:
            if path == "/api/token":
                response = self._accounts(method, headers, body)
            elif path == "/authorize":
                response = self._authorize(method, query)
            elif path == "/v1" or path.startswith("/v1/"):
                response = self._api(method, path[len("/v1/") :], query, headers)
            else:
                response = _json(404, _error_body(404, "Service not found"))
        except Exception:  # a bug here must not kill the connection without an answer
            logger.exception("replica failed on %s %s", method, target)
            response = _json(500, _error_body(500, "Server error"))
        with self._lock:
            self._log.append(LoggedRequest(method, target, response.status))
        logger.debug("%s %s -> %d", method, target, response.status)
        return response

    def _next_fault(self, endpoint: str) -> _Fault | None:
        with self._lock:
            queue = self._faults[endpoint]
            fault = queue.popleft() if queue else None
        return None if fault is not None and fault.normal else fault

    # -- accounts ---------------------------------------------------------------------------

    def _accounts(self, method: str, headers: Any, body: bytes) -> Response:
        fault = self._next_fault("token")
        if fault is not None and fault.status:
            return Response(fault.status, fault.body, fault.headers)
        response = self._token_answer(method, headers, body)
        if fault is not None and fault.alter is not None and response.status == 200:
            response.body = fault.alter(response.body)
        return response

    def _token_answer(self, method: str, headers: Any, body: bytes) -> Response:
        if method != "POST":
            return _json(405, {"error": "invalid_request", "error_description": "Use POST"})
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        try:
            return _json(200, self._grant(form, headers.get("Authorization")))
        except AccountsError as error:
            logger.info("token request refused: %s", error.description)
            payload = {"error": error.error, "error_description": error.description}
            return _json(error.status, payload)

    def _client(self, form: dict[str, str], authorization: str | None) -> tuple[str, bool]:
        """The client id, and whether its secret was checked (PKCE sends none)."""
        if authorization and authorization.startswith("Basic "):
            try:
                decoded = base64.b64decode(authorization[6:], validate=True).decode()
                client_id, _, secret = decoded.partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise AccountsError("invalid_client", "Invalid client") from None
        else:
            client_id = form.get("client_id", "")
            secret = form.get("client_secret")
        if client_id not in self._clients:
            raise AccountsError("invalid_client", "Invalid client")
        if secret is None:
            return client_id, False
        if not secrets.compare_digest(secret, self._clients[client_id]):
            raise AccountsError("invalid_client", "Invalid client secret")
        return client_id, True

    def _grant(self, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        grant_type = form.get("grant_type")
        if not grant_type:
            raise AccountsError("unsupported_grant_type", "grant_type parameter is missing")
        client_id, authenticated = self._client(form, authorization)
        if grant_type == "client_credentials":
            if not authenticated:
                raise AccountsError("invalid_client", "Invalid client")
            return self._issue("app", client_id, None, "")
        if grant_type == "refresh_token":
            with self._lock:
                grant = self._refresh_tokens.get(form.get("refresh_token", ""))
            if grant is None or grant.client_id != client_id:
                raise AccountsError("invalid_grant", "Invalid refresh token")
            # Like Spotify, usually no new refresh_token: clients keep the old one.
            return self._issue("user", client_id, grant.user, grant.scope)
        if grant_type == "authorization_code":
            with self._lock:
                grant = self._codes.pop(form.get("code", ""), None)  # single use
            if grant is None or grant.client_id != client_id or grant.expires_at < time.monotonic():
                raise AccountsError("invalid_grant", "Invalid authorization code")
            if form.get("redirect_uri") != grant.redirect_uri:
                raise AccountsError("invalid_grant", "Invalid redirect URI")
            if grant.code_challenge is not None:
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.code_challenge:
                    raise AccountsError("invalid_grant", "code_verifier was incorrect")
            elif not authenticated:
                raise AccountsError("invalid_client", "Invalid client")
            token = self._issue("user", client_id, grant.user, grant.scope)
            refresh = "AQ" + secrets.token_urlsafe(96)
            with self._lock:
                self._refresh_tokens[refresh] = grant
            return {**token, "refresh_token": refresh}
        raise AccountsError(
            "unsupported_grant_type",
            "grant_type must be client_credentials, authorization_code or refresh_token",
        )

    def _authorize(self, method: str, query: dict[str, str]) -> Response:
        """An auto-approving consent screen: redirects straight back with a code."""
        html = {"Content-Type": "text/html; charset=utf-8"}
        if query.get("client_id") not in self._clients:
            return Response(400, b"<h1>INVALID_CLIENT: Invalid client</h1>", html)
        redirect_uri = query.get("redirect_uri")
        if not redirect_uri:
            return Response(400, b"<h1>INVALID_CLIENT: Invalid redirect URI</h1>", html)
        params: dict[str, str] = {}
        if query.get("response_type") != "code":
            params["error"] = "unsupported_response_type"
        elif not self.auto_approve:
            params["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(48)
            challenge = query.get("code_challenge")
            if challenge and query.get("code_challenge_method", "S256") != "S256":
                params["error"] = "invalid_request"
            else:
                with self._lock:
                    self._codes[code] = _Grant(
                        query["client_id"],
                        self.catalog.demo_user,
                        query.get("scope", ""),
                        redirect_uri,
                        challenge or None,
                        time.monotonic() + _AUTH_CODE_TTL,
                    )
                params["code"] = code
        if "state" in query:
            params["state"] = query["state"]
        separator = "&" if "?" in redirect_uri else "?"
        return Response(302, b"", {"Location": redirect_uri + separator + urlencode(params)})

    # -- the Web API ------------------------------------------------------------------------

    def _api(self, method: str, path: str, query: dict[str, str], headers: Any) -> Response:
        fault = self._next_fault("api")
        if fault is not None and fault.status:
            return Response(fault.status, fault.body, fault.headers)
        try:
            if method not in ("GET", "HEAD"):
                raise ApiError(405, "Method not allowed")
            token = self._authenticate(headers.get("Authorization"))
            self._check_account(token)
            if fault is not None and fault.stuck and "offset" in query:
                query = {**query, "offset": "0"}
            obj = self._route(path.rstrip("/"), query, token)
            if "fields" in query and query["fields"]:
                obj = apply_fields(obj, parse_fields(query["fields"]))
            response = _json(200, obj)
        except FieldsError:
            response = _json(400, _error_body(400, "Invalid fields"))
        except ApiError as error:
            response = _json(error.status, _error_body(error.status, error.message), error.headers)
        if fault is not None and fault.malformed:
            # A body cut short: what a dropped connection or a broken proxy leaves behind.
            cut = max(1, len(response.body) // 2)
            return Response(200, response.body[:cut], {"Content-Type": "application/json"})
        if fault is not None and fault.alter is not None and response.status == 200:
            response.body = fault.alter(response.body)
        if fault is not None:
            response.delay = fault.delay
        return response

    def _authenticate(self, authorization: str | None) -> _Token:
        unauthorized = {"WWW-Authenticate": 'Bearer realm="spotify"'}
        if not authorization:
            raise ApiError(401, "No token provided", unauthorized)
        scheme, _, value = authorization.partition(" ")
        if scheme != "Bearer" or not value:
            raise ApiError(400, "Only valid bearer authentication supported")
        with self._lock:
            token = self._tokens.get(value)
        if token is None:
            raise ApiError(401, "Invalid access token", unauthorized)
        if token.expires_at <= time.monotonic():
            raise ApiError(401, "The access token expired", unauthorized)
        return token

    def _check_account(self, token: _Token) -> None:
        if not self.owner_premium:
            raise ApiError(403, PREMIUM_REQUIRED_MESSAGE)
        if token.user is not None and not self.user_registered:
            raise ApiError(403, USER_NOT_REGISTERED_MESSAGE)

    @staticmethod
    def _require_scope(token: _Token, scope: str) -> None:
        if token.user is not None and scope not in token.scope.split():
            raise ApiError(403, INSUFFICIENT_SCOPE_MESSAGE)

    def _route(self, path: str, query: dict[str, str], token: _Token) -> Any:
        parts = path.split("/")
        handler: Callable[..., Any] | None = None
        args: tuple[str, ...] = ()
        match parts:
            case ["playlists", playlist_id]:
                handler, args = self._get_playlist, (playlist_id,)
            case ["playlists", playlist_id, ("items" | "tracks") as endpoint]:
                handler, args = self._get_entries, (playlist_id, endpoint)
            case ["artists"]:
                handler, args = self._get_several, ("artists",)
            case ["albums"]:
                handler, args = self._get_several, ("albums",)
            case ["tracks"]:
                handler, args = self._get_several, ("tracks",)
            case ["artists" | "albums" | "tracks" as kind, object_id]:
                handler, args = self._get_one, (kind, object_id)
            case ["albums", album_id, "tracks"]:
                handler, args = self._get_album_tracks, (album_id,)
            case ["me"]:
                handler = self._get_me
            case ["me", "playlists"]:
                handler = self._get_my_playlists
        if handler is None:
            raise ApiError(404, "Service not found")
        return handler(*args, query=query, token=token)

    # -- parameters -------------------------------------------------------------------------

    @staticmethod
    def _check_id(object_id: str) -> None:
        if not _BASE62_ID.match(object_id):
            raise ApiError(400, "Invalid base62 id")

    @staticmethod
    def _paging(query: dict[str, str], default: int, maximum: int) -> tuple[int, int]:
        try:
            limit = int(query.get("limit", default))
        except ValueError:
            raise ApiError(400, "Invalid limit") from None
        if not 1 <= limit <= maximum:
            raise ApiError(400, "Invalid limit")
        try:
            offset = int(query.get("offset", 0))
        except ValueError:
            raise ApiError(400, "Invalid offset") from None
        if offset < 0:
            raise ApiError(400, "Invalid offset")
        return offset, limit

    @staticmethod
    def _market(query: dict[str, str]) -> bool:
        market = query.get("market")
        if market is None or market == "":
            return False
        if not _MARKET.match(market):
            raise ApiError(400, "Invalid market code")
        return True

    @staticmethod
    def _echo(query: dict[str, str]) -> dict[str, str]:
        """Query parameters that Spotify repeats in a page's href/next/previous."""
        return {k: query[k] for k in ("market", "additional_types") if query.get(k)}

    @property
    def _render(self) -> Renderer:
        if self._renderer is None:
            raise RuntimeError("the replica is not started")
        return self._renderer

    # -- playlists --------------------------------------------------------------------------

    def _snapshot(self, playlist_id: str) -> PlaylistSnapshot:
        self._check_id(playlist_id)
        with self._lock:
            snap = self._snapshots.get(playlist_id)
        if snap is None:
            raise ApiError(404, "Resource not found")
        # Since 27 Nov 2024 Spotify hides its own playlists from development-mode apps.
        if self.mode == "current" and playlist_id.startswith(EDITORIAL_PREFIXES):
            raise ApiError(404, "Resource not found")
        return snap

    def _may_read_entries(self, snap: PlaylistSnapshot, token: _Token) -> bool:
        if self.mode == "legacy":
            return True
        if token.user is None:
            return False
        # Owner only: the catalog's one collaborative playlist belongs to the demo user,
        # so no user is a collaborator on a playlist they do not own.
        if snap.playlist.owner.id != token.user.id:
            return False
        # A private (or collaborative) playlist's entries need the scope that reads it.
        return snap.playlist.public or "playlist-read-private" in token.scope.split()

    def _get_playlist(self, playlist_id: str, *, query: dict[str, str], token: _Token) -> Any:
        snap = self._snapshot(playlist_id)
        return self._render.playlist(
            snap,
            include_items=self._may_read_entries(snap, token),
            market=self._market(query),
            extra=self._echo(query),
        )

    def _get_entries(
        self, playlist_id: str, endpoint: str, *, query: dict[str, str], token: _Token
    ) -> Any:
        if endpoint == "tracks" and self.mode == "current":
            # Removed for development-mode apps in 2026: answered like other removed endpoints.
            self._check_id(playlist_id)
            raise ApiError(403, "Forbidden")
        snap = self._snapshot(playlist_id)
        owner = token.user is not None and snap.playlist.owner.id == token.user.id
        if self.mode == "current" and not snap.playlist.public and owner:
            self._require_scope(token, "playlist-read-private")
        if not self._may_read_entries(snap, token):
            raise ApiError(403, "Forbidden")
        if endpoint == "items":
            offset, limit = self._paging(query, 20, 50)
        else:
            offset, limit = self._paging(query, 100, 100)
        return self._render.entries_page(
            snap,
            endpoint,
            offset,
            limit,
            market=self._market(query),
            extra=self._echo(query),
        )

    def _get_me(self, *, query: dict[str, str], token: _Token) -> Any:
        if token.user is None:
            raise ApiError(401, "Unauthorized.")
        return self._render.me(token.user)

    def _get_my_playlists(self, *, query: dict[str, str], token: _Token) -> Any:
        if token.user is None:
            raise ApiError(401, "Unauthorized.")
        self._require_scope(token, "playlist-read-private")
        offset, limit = self._paging(query, 20, 50)
        with self._lock:
            snapshots = self._snapshots
        # The user's own playlists, then the one they follow (owned by someone else).
        mine = [
            s
            for s in snapshots.values()
            if s.playlist.owner.id == token.user.id or s.id in self.catalog.foreign_playlist_ids
        ]
        items = [self._render.simplified_playlist(s) for s in mine[offset : offset + limit]]
        return self._render.page("me/playlists", items, offset, limit, len(mine))

    # -- catalog objects --------------------------------------------------------------------

    def _lookup(self, kind: str, object_id: str) -> Any:
        table: dict[str, Any] = getattr(self.catalog, kind)
        return table.get(object_id)

    def _render_object(self, kind: str, obj: Any, market: bool) -> Any:
        if kind == "artists":
            return self._render.artist(obj)
        if kind == "albums":
            return self._render.album(obj, market)
        return self._render.track(obj, market)

    def _get_one(self, kind: str, object_id: str, *, query: dict[str, str], token: _Token) -> Any:
        self._check_id(object_id)
        obj = self._lookup(kind, object_id)
        if obj is None:
            raise ApiError(404, "Resource not found")
        return self._render_object(kind, obj, self._market(query))

    def _get_several(self, kind: str, *, query: dict[str, str], token: _Token) -> Any:
        if self.mode == "current":
            # Removed for development-mode apps in February 2026; clients report 403 Forbidden.
            raise ApiError(403, "Forbidden")
        raw = query.get("ids")
        if raw is None:
            raise ApiError(400, "invalid id")
        ids = [i for i in raw.split(",") if i]
        maximum = {"artists": 50, "albums": 20, "tracks": 50}[kind]
        if len(ids) > maximum:
            raise ApiError(400, "too many ids requested")
        for object_id in ids:
            self._check_id(object_id)
        market = self._market(query)
        # Unknown ids give null entries in their positions, as the real API does.
        return {
            kind: [
                None
                if (obj := self._lookup(kind, i)) is None
                else self._render_object(kind, obj, market)
                for i in ids
            ]
        }

    def _get_album_tracks(self, album_id: str, *, query: dict[str, str], token: _Token) -> Any:
        self._check_id(album_id)
        album = self.catalog.albums.get(album_id)
        if album is None:
            raise ApiError(404, "Resource not found")
        offset, limit = self._paging(query, 20, 50)
        return self._render.album_tracks_page(album, offset, limit, self._market(query))
