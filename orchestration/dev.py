"""`python -m orchestration.dev`: the Dagster UI, daemon and code server on 127.0.0.1.

Runs `dagster dev` on the code location orchestration.defs.definitions, with
the same defaults as `spotify-elt run`: data in <home>/data, demo mode (the local API
replica) when no Spotify credentials are configured. Run history, schedules and
sensor cursors persist in DAGSTER_HOME (default <home>/data/dagster).

`dagster dev` started from a script does not stop on Ctrl-C: the terminal's
SIGINT reaches the script, not it (or, run in the background, it inherits an
ignored SIGINT). So it runs in its own session; on Ctrl-C or SIGTERM this
script asks it to shut down (SIGINT, which it handles in order), then ends what
is left of its process group.
"""

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from orchestration.config import Settings, project_home

logger = logging.getLogger("spotify_elt.dev")

CODE_LOCATION = "orchestration.defs.definitions"
# dagster dev waits for its webserver and daemon; give it that long before forcing.
SHUTDOWN_GRACE_SECONDS = 30.0
KILL_GRACE_SECONDS = 5.0
# Signals closer together than this are one request (see `run`).
REPEAT_SIGNAL_SECONDS = 1.0

DAGSTER_YAML = """\
# Written by orchestration/dev.py (only when missing): the local Dagster instance.
telemetry:
  enabled: false
nux:
  enabled: false  # the UI's newsletter prompt
concurrency:
  pools:
    # DuckDB has one writer: the `warehouse` pool (load, transform) runs one step at a time.
    default_limit: 1
"""


def prepare_home(dagster_home: Path) -> None:
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)


def dev_environment(
    settings: Settings, dagster_home: Path, host: str, port: int, demo: bool
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DAGSTER_HOME": str(dagster_home),
            # The code server resolves Settings itself: give it the same data directory.
            "SPOTIFY_ELT_DATA_DIR": str(settings.data_dir),
            "SPOTIFY_ELT_DAGSTER_URL": f"http://{host}:{port}",
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        }
    )
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    if demo:
        env["SPOTIFY_ELT_DEMO"] = "1"
    return env


def dagster_dev_command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        CODE_LOCATION,
        "--working-directory",
        str(project_home()),
        "-h",
        host,
        "-p",
        str(port),
    ]


def _signal_group(pgid: int, signum: int) -> bool:
    """Send `signum` to the process group; False when no process is left in it."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    return True


def _end_group(pgid: int, leader: subprocess.Popen) -> None:
    """SIGTERM what is left of the group (code servers, runs), then SIGKILL after a grace."""
    if not _signal_group(pgid, signal.SIGTERM):
        return
    deadline = time.monotonic() + KILL_GRACE_SECONDS
    while time.monotonic() < deadline:
        leader.poll()  # reap the leader: an unreaped zombie keeps the group "alive"
        if not _signal_group(pgid, 0):
            return
        time.sleep(0.2)
    logger.warning("processes of dagster dev did not stop; killing them")
    _signal_group(pgid, signal.SIGKILL)


def run(command: list[str], env: dict[str, str] | None, cwd: Path) -> int:
    """Run `command` in its own session until it exits, or until Ctrl-C / SIGTERM stop it."""
    requested: list[int] = []

    last_at = [float("-inf")]

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        # One Ctrl-C can arrive twice: from the terminal to the whole foreground group,
        # and forwarded by a wrapper such as `uv run`. Only a later one means "force".
        now = time.monotonic()
        if now - last_at[0] > REPEAT_SIGNAL_SECONDS:
            requested.append(signum)
        last_at[0] = now

    # Handlers before the child starts: exec resets handled signals to their
    # defaults, so the child gets a working SIGINT even if ours was ignored.
    previous = {
        signum: signal.signal(signum, on_signal) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    process = subprocess.Popen(command, env=env, cwd=cwd, start_new_session=True)
    pgid = process.pid  # the leader of its new session and process group
    stop_sent_at: float | None = None
    try:
        while True:
            try:
                returncode = process.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                pass
            if requested and stop_sent_at is None:
                logger.info("stopping dagster dev (%s)", signal.Signals(requested[0]).name)
                process.send_signal(signal.SIGINT)
                stop_sent_at = time.monotonic()
            elif stop_sent_at is not None and (
                len(requested) > 1 or time.monotonic() - stop_sent_at > SHUTDOWN_GRACE_SECONDS
            ):
                # A second Ctrl-C, or a shutdown that hangs: stop waiting.
                logger.warning("dagster dev did not stop in time; terminating its processes")
                _end_group(pgid, process)
    finally:
        if process.poll() is None:
            _end_group(pgid, process)
            process.wait()
        _end_group(pgid, process)  # whatever outlived the leader
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if requested:
        logger.info("dagster dev stopped")
        return 0
    return returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.dev", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1", help="[default: %(default)s]")
    parser.add_argument("--port", type=int, default=3000, help="[default: %(default)s]")
    parser.add_argument(
        "--data-dir", type=Path, help="Lake, warehouse, dbt output [default: <home>/data]."
    )
    parser.add_argument(
        "--dagster-home",
        type=Path,
        help="Run history and instance config [default: $DAGSTER_HOME, else <data-dir>/dagster].",
    )
    parser.add_argument(
        "--demo", action="store_true", help="Use the local API replica even with credentials."
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(message)s")

    settings = Settings.resolve(args.data_dir)
    dagster_home = (
        args.dagster_home
        or (Path(os.environ["DAGSTER_HOME"]) if os.environ.get("DAGSTER_HOME") else None)
        or settings.data_dir / "dagster"
    ).resolve()
    prepare_home(dagster_home)
    env = dev_environment(settings, dagster_home, args.host, args.port, args.demo)
    logger.info(
        "Dagster UI on http://%s:%d (data in %s, DAGSTER_HOME %s); Ctrl-C stops it",
        args.host,
        args.port,
        settings.data_dir,
        dagster_home,
    )
    return run(dagster_dev_command(args.host, args.port), env, project_home())


if __name__ == "__main__":
    sys.exit(main())
