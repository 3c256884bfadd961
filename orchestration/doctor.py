"""`spotify-elt doctor`: check, before any run, everything a run needs, and say what to fix.

One line per check: the app's credentials (a token grant), the user's refresh
token and its scopes, the two account conditions of 2026 development-mode apps
(the app owner's Premium, the user's registration in the app's dashboard), each
configured playlist (readable, and if not, why), the rate-limit breaker, the lake
and the warehouse. The exit code is 1 when any check found a problem.

It asks Spotify a handful of plain HTTP requests (no retries), and none at all
while the rate-limit breaker says Spotify still bans requests.
"""

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import dlt
import requests

from ingestion.errors import RateLimitBreakerOpen, SpotifyEltError
from ingestion.lake import Lake
from ingestion.spotify import settings as api
from ingestion.spotify.breaker import RateLimitBreaker
from ingestion.spotify.references import parse_playlist_ids, split_mine
from orchestration import steps
from orchestration.access import spotify_access
from orchestration.config import Settings

logger = logging.getLogger(__name__)

OK, PROBLEM, SKIPPED = "ok", "problem", "skipped"
_TIMEOUT = 10.0
_NEEDED_SCOPES = tuple(api.USER_SCOPE.split())


@dataclass(frozen=True)
class Check:
    """One line of the table: what was checked, the outcome, what was found or what to do."""

    name: str
    status: str
    detail: str


class _Api:
    """Plain HTTP to the API and the accounts service, no retries: one question each."""

    def __init__(self, args: dict[str, Any]) -> None:
        self.client_id = args.get("client_id") or ""
        self.client_secret = args.get("client_secret") or ""
        self.refresh_token = args.get("refresh_token") or ""
        self.api = (
            args.get("api_base_url")
            or os.environ.get("SPOTIFY_API_BASE_URL")
            or api.DEFAULT_API_BASE_URL
        ).rstrip("/")
        accounts = (
            args.get("accounts_base_url")
            or os.environ.get("SPOTIFY_ACCOUNTS_BASE_URL")
            or api.DEFAULT_ACCOUNTS_BASE_URL
        )
        self.token_url = accounts.rstrip("/") + "/api/token"
        self.session = requests.Session()

    def token(self, **form: str) -> requests.Response:
        return self.session.post(
            self.token_url,
            data=form,
            auth=(self.client_id, self.client_secret),
            timeout=_TIMEOUT,
        )

    def get(self, path: str, token: str, **params: Any) -> requests.Response:
        url = path if path.startswith("http") else f"{self.api}/{path}"
        return self.session.get(
            url, headers={"Authorization": f"Bearer {token}"}, params=params, timeout=_TIMEOUT
        )


def _message(response: requests.Response) -> str:
    """Spotify's error message: `{"error": {"message"}}` (API) or the flat token form."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or "")
    return str(body.get("error_description") or error or "")


def _http_problem(name: str, response: requests.Response, what: str) -> Check:
    status, message = response.status_code, _message(response)
    if status == 429:
        wait = response.headers.get("Retry-After", "?")
        return Check(name, PROBLEM, f"rate-limited (Retry-After {wait} s): run again later.")
    if status >= 500:
        return Check(
            name, PROBLEM, f"Spotify answered {status} to {what}: its side; try again later."
        )
    return Check(name, PROBLEM, f"Spotify answered {status} to {what}: {message}.")


def _unreachable(name: str, error: requests.RequestException, url: str) -> Check:
    host = requests.utils.urlparse(url).netloc
    return Check(
        name,
        PROBLEM,
        f"could not reach {host} ({error.__class__.__name__}): check the network, the proxy "
        "variables (HTTPS_PROXY, NO_PROXY) and SPOTIFY_API_BASE_URL / SPOTIFY_ACCOUNTS_BASE_URL.",
    )


def _config(args: dict[str, Any], key: str, secret: bool = False) -> Any:
    if args.get(key):
        return args[key]
    store = dlt.secrets if secret else dlt.config
    try:
        return store.get(f"sources.spotify.{key}")
    except Exception:  # an unreadable .dlt file is reported by the credentials check
        return None


def spotify_checks(source_args: dict[str, Any], breaker: RateLimitBreaker) -> list[Check]:
    """Credentials, refresh token and scopes, account, playlists: against the API."""
    args = {
        **source_args,
        "client_id": _config(source_args, "client_id", secret=True),
        "client_secret": _config(source_args, "client_secret", secret=True),
        "refresh_token": _config(source_args, "refresh_token", secret=True),
    }
    api_mode = source_args.get("api_mode") or _config(source_args, "api_mode") or "auto"
    names = ("credentials", "refresh token", "account", "playlists")
    try:
        breaker.check()
    except RateLimitBreakerOpen as error:
        until = f"{error.until:%Y-%m-%d %H:%M:%S} UTC"
        return [Check(name, SKIPPED, f"not asking Spotify before {until}") for name in names]
    if not args["client_id"] or not args["client_secret"]:
        return [
            Check(
                "credentials",
                PROBLEM,
                "no client_id/client_secret: set SOURCES__SPOTIFY__CLIENT_ID and "
                "SOURCES__SPOTIFY__CLIENT_SECRET, or [sources.spotify] in .dlt/secrets.toml.",
            )
        ]
    client = _Api(args)
    checks: list[Check] = []
    # 1. The app's credentials: a client-credentials grant.
    try:
        response = client.token(grant_type="client_credentials")
    except requests.RequestException as error:
        return [_unreachable("credentials", error, client.token_url)]
    if response.status_code == 200:
        app_token = response.json()["access_token"]
        checks.append(Check("credentials", OK, f"token grant accepted ({client.client_id[:4]}…)"))
    elif response.status_code == 400:
        return [
            Check(
                "credentials",
                PROBLEM,
                f"Spotify refused client_id/client_secret ({_message(response)}): copy them "
                "again from the app's page on developer.spotify.com/dashboard.",
            )
        ]
    else:
        return [_http_problem("credentials", response, "the token grant")]
    # 2. The user's refresh token and its scopes.
    user_token = None
    if not client.refresh_token:
        status = OK if api_mode == "legacy" else PROBLEM
        checks.append(
            Check(
                "refresh token",
                status,
                "none configured: since 2026 development-mode apps read playlist entries only "
                "with a user token; run `spotify-elt auth` once.",
            )
        )
    else:
        response = client.token(grant_type="refresh_token", refresh_token=client.refresh_token)
        if response.status_code == 200:
            user_token = response.json()["access_token"]
            granted = set(str(response.json().get("scope") or "").split())
            missing = [scope for scope in _NEEDED_SCOPES if scope not in granted]
            if missing:
                checks.append(
                    Check(
                        "refresh token",
                        PROBLEM,
                        f"valid, but without the scope(s) {', '.join(missing)}: run "
                        "`spotify-elt auth` again and accept them.",
                    )
                )
            else:
                checks.append(
                    Check("refresh token", OK, f"valid, scopes {' '.join(sorted(granted))}")
                )
        elif response.status_code == 400:
            checks.append(
                Check(
                    "refresh token",
                    PROBLEM,
                    f"refused ({_message(response)}): it was revoked or belongs to another app; "
                    "run `spotify-elt auth` again.",
                )
            )
        else:
            checks.append(_http_problem("refresh token", response, "the refresh-token grant"))
    # 3. The account: the owner's Premium and the user's registration (GET /me).
    token = user_token or app_token
    account_ok = True
    if user_token:
        response = client.get("me", user_token)
        message = _message(response)
        if response.status_code == 200:
            user = response.json().get("id")
            checks.append(Check("account", OK, f"user {user}: registered, app owner has Premium"))
        elif response.status_code == 403 and "premium" in message.lower():
            account_ok = False
            checks.append(
                Check(
                    "account",
                    PROBLEM,
                    "Spotify: the app owner's Premium subscription is not active. Since 2026 "
                    "development-mode apps need it; renew it (requests work again a few hours "
                    "after).",
                )
            )
        elif response.status_code == 403 and "registered" in message.lower():
            account_ok = False
            checks.append(
                Check(
                    "account",
                    PROBLEM,
                    "Spotify: the user is not registered for this app. Add their Spotify e-mail "
                    "under User Management on the app's page on developer.spotify.com/dashboard.",
                )
            )
        else:
            account_ok = response.status_code < 400
            checks.append(_http_problem("account", response, "GET /me"))
    else:
        checks.append(Check("account", SKIPPED, "needs a user token (refresh token)"))
    # 4. Each configured playlist.
    if account_ok:
        checks += _playlist_checks(client, token, source_args, bool(user_token))
    return checks


def _playlist_checks(
    client: _Api, token: str, source_args: dict[str, Any], user: bool
) -> list[Check]:
    try:
        mine, references = split_mine(_config(source_args, "playlists"))
        ids = parse_playlist_ids(references) if references or not mine else []
    except SpotifyEltError as error:
        return [Check("playlists", PROBLEM, str(error))]
    checks = []
    if mine:
        response = client.get("me/playlists", token, limit=api.MY_PLAYLISTS_PAGE_LIMIT)
        if response.status_code == 200:
            page = response.json()
            checks.append(Check("playlists: mine", OK, f"{page.get('total', 0)} listed"))
            ids += [p["id"] for p in page.get("items") or [] if p and p["id"] not in ids]
        elif response.status_code == 403:
            checks.append(
                Check(
                    "playlists: mine",
                    PROBLEM,
                    f"GET /me/playlists: {_message(response)}; run `spotify-elt auth` again "
                    "and accept playlist-read-private.",
                )
            )
        else:
            checks.append(_http_problem("playlists: mine", response, "GET /me/playlists"))
    for playlist_id in ids:
        checks.append(_playlist_check(client, token, playlist_id, user))
    return checks


def _playlist_check(client: _Api, token: str, playlist_id: str, user: bool) -> Check:
    name = f"playlist {playlist_id}"
    response = client.get(
        f"playlists/{playlist_id}", token, fields="name,owner(id),items(total),tracks(total)"
    )
    if response.status_code == 404 and playlist_id.startswith(api.EDITORIAL_PLAYLIST_PREFIXES):
        return Check(
            name,
            PROBLEM,
            "editorial: Spotify answers 404 for its own playlists to new and development-mode "
            "apps since 27 Nov 2024. Copy the songs into a playlist you own, or import saved "
            "archives with `spotify-elt import-raw`.",
        )
    if response.status_code == 404:
        return Check(
            name, PROBLEM, "unknown (404): check the id, and that the playlist is public or yours."
        )
    if response.status_code != 200:
        return _http_problem(name, response, f"GET /playlists/{playlist_id}")
    playlist = response.json()
    title = playlist.get("name") or playlist_id
    if isinstance(playlist.get("items"), dict) or isinstance(playlist.get("tracks"), dict):
        return Check(name, OK, f"{title!r}: readable")
    # No entries in the object: the 2026 API reads entries only of the user's own playlists.
    entries = client.get(f"playlists/{playlist_id}/items", token, limit=1)
    if entries.status_code == 200:
        return Check(name, OK, f"{title!r}: readable")
    if entries.status_code == 403:
        advice = (
            "not yours: since 2026 a development-mode app reads the entries only of playlists "
            "the user owns or collaborates on. Copy it into one of your playlists."
            if user
            else "its entries need a user token: run `spotify-elt auth` once."
        )
        message = _message(entries)
        if "scope" in message.lower():
            advice = f"{message}: run `spotify-elt auth` again and accept playlist-read-private."
        return Check(name, PROBLEM, f"{title!r}: {advice}")
    return _http_problem(name, entries, f"GET /playlists/{playlist_id}/items")


def breaker_check(breaker: RateLimitBreaker) -> Check:
    until = breaker.open_until()
    if until is None:
        return Check("rate limit", OK, "no ban remembered")
    return Check(
        "rate limit",
        PROBLEM,
        f"Spotify banned requests until {until:%Y-%m-%d %H:%M:%S} UTC (a 429 with a long "
        f"Retry-After): runs before then do not call it. Wait; {breaker.path} holds the time.",
    )


def lake_check(settings: Settings) -> Check:
    lake = Lake(settings.lake_url)
    try:
        if lake.fs.exists(lake.root):
            lake.fs.ls(lake.root)
            return Check("lake", OK, f"{settings.lake_url} reachable")
        if lake.config.protocol == "file":
            parent = Path(lake.root).parent
            while not parent.exists():
                parent = parent.parent
            if os.access(parent, os.W_OK):
                return Check("lake", OK, f"{settings.lake_url} (created on the first run)")
            return Check("lake", PROBLEM, f"cannot create {settings.lake_url}: not writable")
        return Check("lake", OK, f"{settings.lake_url} reachable (empty)")
    except Exception as error:  # any filesystem or credentials error: say which
        return Check(
            "lake",
            PROBLEM,
            f"{settings.lake_url}: {error.__class__.__name__}: {error}. Check "
            "SPOTIFY_ELT_LAKE_URL and [destination.filesystem.credentials].",
        )


def warehouse_check(settings: Settings) -> Check:
    try:
        destination = steps.warehouse_destination(settings)
    except SpotifyEltError as error:
        return Check("warehouse", PROBLEM, str(error))
    if settings.target in ("dev", "ci"):
        import duckdb

        if not settings.duckdb_path.exists():
            return Check("warehouse", OK, f"{settings.duckdb_path} (created on the first run)")
        try:
            with duckdb.connect(str(settings.duckdb_path), read_only=True) as db:
                db.sql("select 1").fetchall()
        except duckdb.Error as error:
            return Check("warehouse", PROBLEM, f"{settings.duckdb_path}: {error}")
        return Check("warehouse", OK, f"{settings.duckdb_path} opens")
    from ingestion.warehouse.load import warehouse_pipeline

    try:
        with warehouse_pipeline(destination, settings.pipelines_dir).sql_client() as client:
            client.execute_sql("select 1")
    except Exception as error:  # any connection error: say which
        return Check(
            "warehouse",
            PROBLEM,
            f"{settings.target}: {error.__class__.__name__}: {str(error)[:300]}. Check "
            "[destination.snowflake.credentials] (docs/snowflake.md).",
        )
    return Check("warehouse", OK, f"target {settings.target} answers")


def run_checks(settings: Settings, source_args: dict[str, Any]) -> list[Check]:
    """Every check, in the order of the table."""
    breaker = RateLimitBreaker.in_state_dir(settings.data_dir / "state")
    return [
        *spotify_checks(source_args, breaker),
        breaker_check(breaker),
        lake_check(settings),
        warehouse_check(settings),
    ]


def format_checks(checks: list[Check]) -> str:
    width = max(len(check.name) for check in checks)
    marks = {OK: "ok     ", PROBLEM: "PROBLEM", SKIPPED: "skipped"}
    return "\n".join(
        f"  {marks[check.status]}  {check.name:<{width}}  {check.detail}" for check in checks
    )


@click.command("doctor")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SPOTIFY_ELT_DATA_DIR",
    help="The data dir to check [default: <project home>/data].",
)
@click.option("--target", envvar="SPOTIFY_ELT_TARGET", help="dbt target [default: dev].")
@click.option(
    "--playlist", "playlists", multiple=True, help="Playlist URL, URI or id (repeatable)."
)
@click.option("--mine", is_flag=True, help="Also your own and collaborative playlists.")
@click.option("--demo", is_flag=True, help="Check the local API replica (demo mode).")
def doctor_command(
    data_dir: Path | None,
    target: str | None,
    playlists: tuple[str, ...],
    mine: bool,
    demo: bool,
) -> None:
    """Check credentials, account, playlists, rate limit, lake and warehouse before a run."""
    settings = Settings.resolve(data_dir, target)
    references = [*playlists, "mine"] if mine else list(playlists)
    with spotify_access(force_demo=demo, playlists=references) as access:
        click.echo(f"spotify-elt doctor ({access.description}), data in {settings.data_dir}")
        checks = run_checks(settings, access.source_args)
    click.echo(format_checks(checks))
    problems = sum(check.status == PROBLEM for check in checks)
    if problems:
        click.echo(f"{problems} problem(s): fix them as each line says, then run again.")
        sys.exit(1)
    click.echo("All checks passed.")
