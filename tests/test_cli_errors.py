"""Ordinary mistakes get one sentence that says what to do: exit code 1, no traceback.

Each case is a separate `spotify-elt` process, as a user would start it, with its own
project home (SPOTIFY_ELT_HOME) so the mistakes stay in the test's folders.
"""

import os
import subprocess
from pathlib import Path

import pytest

from ingestion.spotify_replica import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from orchestration.locking import exclusive_data_dir
from tests.cli import SPOTIFY_ELT

CREDENTIALS = {
    "SOURCES__SPOTIFY__CLIENT_ID": DEMO_CLIENT_ID,
    "SOURCES__SPOTIFY__CLIENT_SECRET": DEMO_CLIENT_SECRET,
    "SOURCES__SPOTIFY__PLAYLISTS": "3cEYpjA9oz9GiPac4AsH4n",
    # Nothing listens here: a case that got as far as a request would fail differently.
    "SPOTIFY_API_BASE_URL": "http://127.0.0.1:9/v1",
    "SPOTIFY_ACCOUNTS_BASE_URL": "http://127.0.0.1:9",
}


def _spotify_elt(home: Path, *args: str, env: dict[str, str] | None = None):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SOURCES__SPOTIFY__", "SPOTIFY_ELT_", "SPOTIFY_API", "DESTINATION"))
    }
    environment.update({"SPOTIFY_ELT_HOME": str(home), **(env or {})})
    return subprocess.run(
        [str(SPOTIFY_ELT), *args],
        cwd=home,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


# (case, files in the home's .dlt/, arguments, environment, words the message must hold)
CASES = [
    (
        "broken secrets.toml",
        {"secrets.toml": '[sources.spotify\nclient_id = "x"\n'},
        ["extract"],
        {},
        "configuration cannot be read",
    ),
    (
        "broken config.toml",
        {"config.toml": "[sources.spotify]\nplaylists = [\n"},
        ["extract"],
        {},
        "configuration cannot be read",
    ),
    (
        "api_mode that does not exist",
        {},
        ["extract"],
        {**CREDENTIALS, "SOURCES__SPOTIFY__API_MODE": "newest"},
        "api_mode must be one of",
    ),
    (
        "a playlist reference that is none",
        {},
        ["extract", "--playlist", "not a playlist"],
        CREDENTIALS,
        "not a playlist",
    ),
    ("an unknown dbt target", {}, ["load", "--target", "bogus"], {}, "Unknown target 'bogus'"),
    (
        "a demo day that is not a number",
        {},
        ["extract", "--demo"],
        {"SPOTIFY_ELT_DEMO_DAY": "yesterday"},
        "SPOTIFY_ELT_DEMO_DAY must be a whole number",
    ),
    (
        "a data dir inside a file",
        {},
        ["load", "--data-dir", "{home}/afile/data"],
        {},
        "as the data directory",
    ),
]


@pytest.mark.parametrize(
    ("files", "args", "env", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_mistake_is_one_sentence(tmp_path: Path, files, args, env, expected) -> None:
    home = tmp_path / "home"
    (home / ".dlt").mkdir(parents=True)
    (home / "afile").write_text("not a folder")
    for name, text in files.items():
        (home / ".dlt" / name).write_text(text)
    result = _spotify_elt(home, *[arg.format(home=home) for arg in args], env=env)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr[-2000:]
    assert "error: " in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".dlt").mkdir(parents=True)
    (home / ".dlt" / "secrets.toml").write_text("[sources.spotify\n")
    result = _spotify_elt(home, "--debug", "extract")
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_a_second_command_on_the_same_data_dir_refuses(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    data_dir = home / "data"
    with exclusive_data_dir(data_dir, "run"):
        result = _spotify_elt(home, "load")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"`spotify-elt run` (pid {os.getpid()}" in result.stderr
    assert "Wait for it to finish" in result.stderr


def test_a_killed_command_does_not_block_the_next(tmp_path: Path) -> None:
    """The OS drops the lock of a process killed with -9; the next command takes it."""
    import signal
    import sys

    data_dir = tmp_path / "data"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from orchestration.locking import exclusive_data_dir\n"
            f"with exclusive_data_dir(Path({str(data_dir)!r}), 'run'):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with exclusive_data_dir(data_dir, "load"):
        pass
