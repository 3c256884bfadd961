"""The rate-limit breaker: after a long 429, no request to Spotify until it allows them again.

Spotify answers a breach of its rate limit with a 429 and a Retry-After that can
be hours; asking again during the ban makes it longer. A Retry-After above the
cap trips the breaker: the run stops asking at once, lands what it fetched, and
writes the time Spotify allows requests again to a small state file (no secrets:
only times). Every later run, from the command line or Dagster's schedule, reads
it first and does not call Spotify before that time.
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingestion.errors import RateLimitBreakerOpen

logger = logging.getLogger(__name__)

STATE_FILE = "rate_limit.json"
# A 429 without a usable Retry-After: assume Spotify's rolling window, 30 s, doubled.
DEFAULT_BAN_SECONDS = 60.0


@dataclass(frozen=True)
class RateLimitBreaker:
    """The breaker's state file (None: remember nothing between runs)."""

    path: Path | None

    @classmethod
    def in_state_dir(cls, state_dir: Path | None) -> "RateLimitBreaker":
        return cls(state_dir / STATE_FILE if state_dir is not None else None)

    def open_until(self, now: datetime | None = None) -> datetime | None:
        """When Spotify allows requests again, if that is still in the future."""
        if self.path is None or not self.path.exists():
            return None
        try:
            until = datetime.fromisoformat(json.loads(self.path.read_text())["until"])
        except (ValueError, KeyError, TypeError, OSError):
            logger.warning("ignoring an unreadable rate-limit state file %s", self.path)
            return None
        return until if until > (now or datetime.now(UTC)) else None

    def check(self, now: datetime | None = None) -> None:
        """Raise RateLimitBreakerOpen while an earlier ban lasts."""
        now = now or datetime.now(UTC)
        until = self.open_until(now)
        if until is not None:
            raise RateLimitBreakerOpen(
                f"Spotify rate-limited an earlier run and allows requests again at "
                f"{until:%Y-%m-%d %H:%M:%S} UTC; not calling Spotify before then (asking during "
                f"a ban makes it longer). Run again after that time; `spotify-elt doctor` "
                f"shows the state ({self.path}).",
                until=until,
                retry_after=(until - now).total_seconds(),
            )

    def trip(self, retry_after: float | None, now: datetime | None = None) -> datetime:
        """Remember a ban of `retry_after` seconds from now; returns when it ends."""
        now = now or datetime.now(UTC)
        until = now + timedelta(seconds=retry_after or DEFAULT_BAN_SECONDS)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            state = {
                "until": until.isoformat(),
                "retry_after_seconds": retry_after,
                "tripped_at": now.isoformat(),
            }
            self.path.write_text(json.dumps(state, indent=2) + "\n")
        return until
