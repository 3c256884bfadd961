"""How a run reaches Spotify: the real Web API, or (demo mode) the bundled local replica.

The one place that decides: with no Spotify credentials configured, or when asked
(`--demo`, SPOTIFY_ELT_DEMO=1), runs use the replica. The CLI and Dagster both
call `spotify_access`.
"""

import difflib
import inspect
import logging
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import dlt
from dlt.common.configuration.exceptions import ConfigProviderException

from ingestion.errors import ConfigurationError
from ingestion.spotify_replica import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    Catalog,
    ReplicaServer,
)
from orchestration.config import project_home

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

    @property
    def description(self) -> str:
        return "demo mode: local Spotify API replica" if self.demo else "Spotify Web API"


def has_credentials() -> bool:
    """True when a Spotify client id is configured (env or .dlt/secrets.toml).

    An unreadable config.toml or secrets.toml is an error, never a silent switch to demo
    data: a cron job with a typo in its secrets must fail, not land the replica's playlists.
    """
    try:
        return bool(dlt.secrets.get("sources.spotify.client_id"))
    except ConfigProviderException as error:
        raise ConfigurationError(_unreadable_configuration(error)) from None


def _unreadable_configuration(error: ConfigProviderException) -> str:
    """One sentence: which file, what the TOML parser says, how to fix it."""
    from dlt.common.configuration.providers.toml import TomlProviderReadException

    if isinstance(error, TomlProviderReadException):
        text = str(error)
        problem = text.split(":\n", 1)[1] if ":\n" in text else text
        files = " or ".join(error.full_paths[:1]) or error.file_name
        return (
            f"The dlt configuration cannot be read: {files} is not valid TOML "
            f"({' '.join(problem.split())}); fix the file (https://toml.io) and run again."
        )
    return (
        f"The dlt configuration cannot be read ({' '.join(str(error).split())}); fix the file "
        "(TOML syntax: https://toml.io) and run again."
    )


def check_source_keys(home: Path) -> None:
    """Every key under [sources.spotify] of the home's .dlt files must be one the source takes.

    dlt ignores keys it is not asked for, so `playlist = […]` or `clientid = …` would be
    dropped without a word, and a misspelt client id would even switch a run to demo data.
    """
    from ingestion.spotify.source import spotify_source

    known = set(inspect.signature(inspect.unwrap(spotify_source)).parameters)
    for path in (home / ".dlt" / "config.toml", home / ".dlt" / "secrets.toml"):
        try:
            section = tomllib.loads(path.read_text()).get("sources", {}).get("spotify", {})
        except (OSError, tomllib.TOMLDecodeError):
            continue  # missing, or unreadable: has_credentials() says so in its words
        for key in section:
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                raise ConfigurationError(
                    f"{path} has an unknown key `{key}` under [sources.spotify]{hint}: rename "
                    "or remove it (the keys are described in the README and in "
                    ".dlt/config.toml) and run again."
                )


def demo_requested() -> bool:
    """SPOTIFY_ELT_DEMO=1 forces demo mode (Dagster's definitions, cron jobs)."""
    return os.environ.get("SPOTIFY_ELT_DEMO", "").lower() in ("1", "true", "yes")


def configured_demo_day() -> int | None:
    """SPOTIFY_ELT_DEMO_DAY, the simulated day a demo run observes; None when not set."""
    value = os.environ.get("SPOTIFY_ELT_DEMO_DAY")
    if not value:
        return None
    if not value.isdigit():
        raise ConfigurationError(
            f"SPOTIFY_ELT_DEMO_DAY must be a whole number of days (0, 1, 2…), not {value!r}."
        )
    return int(value)


@contextmanager
def spotify_access(
    force_demo: bool = False, day: int | None = None, playlists: list[str] | None = None
) -> Iterator[SpotifyAccess]:
    """Yield how to reach Spotify; starts (and stops) the replica in demo mode.

    `playlists`, when given, replace the configured ones (or the demo's).
    """
    override = {"playlists": list(playlists)} if playlists else {}
    check_source_keys(project_home())
    if has_credentials() and not (force_demo or demo_requested()):
        yield SpotifyAccess(demo=False, source_args=override)
        return
    catalog = Catalog.generate(seed=42)
    if day is None:
        day = configured_demo_day()
    simulated_day = day if day is not None else max((date.today() - DEMO_EPOCH).days, 0)
    with ReplicaServer(mode="current", catalog=catalog, day=simulated_day) as server:
        logger.info(
            "demo mode: no Spotify credentials configured, using the local replica at %s "
            "(simulated day %d)",
            server.api_base_url,
            simulated_day,
        )
        args = {**replica_source_args(server), **override}
        yield SpotifyAccess(
            demo=True,
            server=server,
            source_args=args,
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
