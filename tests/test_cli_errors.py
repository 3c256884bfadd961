"""Ordinary mistakes get one sentence that says what to do: the exit code, no traceback.

Every case is one bad input as a user makes it: configuration, the command line,
files, playlist references, the environment (a read-only or full disk, a second
command at once). Each runs `spotify-elt` with its own project home (SPOTIFY_ELT_HOME)
in a forked child of this process (tests/forked_cli.py: the same `main`, without
the 5-14 s of imports per case); a few run the real console script too, to prove
both agree. Where a batch is involved, the good part of it must have landed.

docs/bad-inputs.md is this table with the messages the cases produced:
`SPOTIFY_ELT_WRITE_BAD_INPUTS=1 pytest tests/test_cli_errors.py` rewrites it, and
`test_the_documented_table_is_current` fails when it is stale.
"""

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ingestion.spotify_replica import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from orchestration.locking import exclusive_data_dir
from tests.cli import REPO, SPOTIFY_ELT
from tests.conftest import TOP50
from tests.forked_cli import Outcome, run_forked

DOC = REPO / "docs" / "bad-inputs.md"
WRITE_DOC = os.environ.get("SPOTIFY_ELT_WRITE_BAD_INPUTS") == "1"
# Nothing listens here: a case that got as far as a request fails differently.
NOWHERE = {
    "SPOTIFY_API_BASE_URL": "http://127.0.0.1:9/v1",
    "SPOTIFY_ACCOUNTS_BASE_URL": "http://127.0.0.1:9",
}
CREDENTIALS = {
    "SOURCES__SPOTIFY__CLIENT_ID": DEMO_CLIENT_ID,
    "SOURCES__SPOTIFY__CLIENT_SECRET": DEMO_CLIENT_SECRET,
    "SOURCES__SPOTIFY__PLAYLISTS": "3cEYpjA9oz9GiPac4AsH4n",
    **NOWHERE,
}
WITHOUT_PLAYLISTS = {k: v for k, v in CREDENTIALS.items() if k != "SOURCES__SPOTIFY__PLAYLISTS"}
# The replica of this session (see the `replica` fixture): `{api}` and `{accounts}`.
AT_REPLICA = {
    "SOURCES__SPOTIFY__CLIENT_ID": DEMO_CLIENT_ID,
    "SOURCES__SPOTIFY__CLIENT_SECRET": DEMO_CLIENT_SECRET,
    "SOURCES__SPOTIFY__REFRESH_TOKEN": DEMO_REFRESH_TOKEN,
    "SOURCES__SPOTIFY__PLAYLISTS": "0SzbF2tFxeAtPK6lZe9XMU",
    "SPOTIFY_API_BASE_URL": "{api}",
    "SPOTIFY_ACCOUNTS_BASE_URL": "{accounts}",
}
GOOD_DEMO_PLAYLIST = "0SzbF2tFxeAtPK6lZe9XMU"
UNKNOWN_PLAYLIST = "0000000000000000000000"


def _lake_files(home: Path, under: str) -> list[Path]:
    return sorted(p for p in (home / "data" / "lake" / under).rglob("*") if p.is_file())


def _top50_landed(home: Path) -> None:
    landed = _lake_files(home, "imports")
    assert landed, "the good file of the batch is not in the lake"


def _good_playlist_landed(home: Path) -> None:
    entries = _lake_files(home, "spotify/playlist_entries")
    assert entries, "the good playlist of the batch is not in the lake"


@dataclass(frozen=True)
class Case:
    category: str
    name: str
    args: list[str]
    expected: tuple[str, ...]  # words the message holds: what happened and what to do
    code: int = 1
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str | bytes] = field(default_factory=dict)  # under the home
    # "readonly" / "full": the data dir on a read-only / tiny tmpfs; "busy": lock held.
    environment: str = ""
    landed: Callable[[Path], None] | None = None  # the good part of the batch, checked


C, L, F, R, E = "configuration", "command line", "files", "references", "environment"

CASES = [
    # -- configuration -------------------------------------------------------------------------
    Case(
        C,
        "broken secrets.toml",
        ["extract"],
        ("configuration cannot be read", "fix the file"),
        files={".dlt/secrets.toml": '[sources.spotify\nclient_id = "x"\n'},
    ),
    Case(
        C,
        "broken config.toml",
        ["extract"],
        ("configuration cannot be read", "fix the file"),
        files={".dlt/config.toml": "[sources.spotify]\nplaylists = [\n"},
    ),
    Case(
        C,
        "api_mode that does not exist",
        ["extract"],
        ("api_mode must be one of",),
        env={**CREDENTIALS, "SOURCES__SPOTIFY__API_MODE": "newest"},
    ),
    Case(
        C,
        "api_mode as a number",
        ["extract"],
        ("api_mode must be one of", "not '3'"),
        env=CREDENTIALS,
        files={".dlt/config.toml": "[sources.spotify]\napi_mode = 3\n"},
    ),
    Case(
        C,
        "max_retry_after_seconds as text",
        ["extract"],
        ("`max_retry_after_seconds` must be a number", "fix it under [sources.spotify]"),
        env=CREDENTIALS,
        files={".dlt/config.toml": '[sources.spotify]\nmax_retry_after_seconds = "soon"\n'},
    ),
    Case(
        C,
        "max_wait_seconds as text in the environment",
        ["extract"],
        ("`max_wait_seconds` must be a number", "SOURCES__SPOTIFY__MAX_WAIT_SECONDS"),
        env={**CREDENTIALS, "SOURCES__SPOTIFY__MAX_WAIT_SECONDS": "a while"},
    ),
    Case(
        C,
        "enrich that is no boolean",
        ["extract"],
        ("`enrich` must be true or false",),
        env=CREDENTIALS,
        files={".dlt/config.toml": '[sources.spotify]\nenrich = "maybe"\n'},
    ),
    Case(
        C,
        "a playlist list of numbers",
        ["extract"],
        ("not as int 1", "quote it"),
        env=WITHOUT_PLAYLISTS,
        files={".dlt/config.toml": "[sources.spotify]\nplaylists = [1, 2]\n"},
    ),
    Case(
        C,
        "a JSON playlist list of numbers in the environment",
        ["extract"],
        ("not as int 1", "quote it"),
        env={**CREDENTIALS, "SOURCES__SPOTIFY__PLAYLISTS": "[1, 2]"},
    ),
    Case(
        C,
        "playlists as a table",
        ["extract"],
        ("`playlists` must be a list", "e.g. playlists ="),
        env=WITHOUT_PLAYLISTS,
        files={".dlt/config.toml": "[sources.spotify.playlists]\ntop = 1\n"},
    ),
    Case(
        C,
        "an empty playlist list",
        ["extract"],
        ("No playlists configured", "pass --playlist"),
        env=WITHOUT_PLAYLISTS,
        files={".dlt/config.toml": "[sources.spotify]\nplaylists = []\n"},
    ),
    Case(
        C,
        "`playlist` misspelt for `playlists`",
        ["extract"],
        ("unknown key `playlist` under [sources.spotify]", "did you mean `playlists`?"),
        env=WITHOUT_PLAYLISTS,
        files={".dlt/config.toml": '[sources.spotify]\nplaylist = ["3cEYpjA9oz9GiPac4AsH4n"]\n'},
    ),
    Case(
        C,
        "`clientid` misspelt in secrets.toml (no silent demo data)",
        ["extract"],
        ("unknown key `clientid` under [sources.spotify]", "did you mean `client_id`?"),
        files={".dlt/secrets.toml": '[sources.spotify]\nclientid = "abc"\nclient_secret = "s"\n'},
    ),
    Case(
        C,
        "a playlist JSON list that is broken",
        ["extract"],
        ("is not a valid JSON list",),
        env={**CREDENTIALS, "SOURCES__SPOTIFY__PLAYLISTS": '["3cEYpjA9oz9GiPac4AsH4n"'},
    ),
    Case(
        C,
        "a client id without its secret",
        ["extract"],
        ("Missing configuration: sources.spotify.client_secret", ".dlt/secrets.toml"),
        env={
            "SOURCES__SPOTIFY__CLIENT_ID": "abc",
            "SOURCES__SPOTIFY__PLAYLISTS": GOOD_DEMO_PLAYLIST,
        },
    ),
    Case(
        C,
        "a wrong client secret",
        ["extract"],
        ("client_secret",),
        env={**AT_REPLICA, "SOURCES__SPOTIFY__CLIENT_SECRET": "wrong"},
    ),
    Case(
        C,
        "a revoked refresh token",
        ["extract"],
        ("spotify-elt auth",),
        env={**AT_REPLICA, "SOURCES__SPOTIFY__REFRESH_TOKEN": "revoked-token"},
    ),
    Case(
        C,
        "a lock wait that is no number",
        ["load"],
        ("SPOTIFY_ELT_LOCK_WAIT_SECONDS must be a number of seconds",),
        env={"SPOTIFY_ELT_LOCK_WAIT_SECONDS": "soon"},
    ),
    # -- command line --------------------------------------------------------------------------
    Case(L, "an unknown command", ["extrakt"], ("No such command 'extrakt'", "--help"), code=2),
    Case(L, "an unknown option", ["run", "--playlists", "x"], ("No such option", "--help"), code=2),
    Case(L, "--playlist without a value", ["run", "--playlist"], ("requires an argument",), code=2),
    Case(
        L,
        "an unknown dbt target",
        ["load", "--target", "bogus"],
        ("Unknown target 'bogus'", "use one of them with --target"),
    ),
    Case(
        L,
        "an unknown dbt target in SPOTIFY_ELT_TARGET",
        ["load"],
        ("Unknown target 'staging'",),
        env={"SPOTIFY_ELT_TARGET": "staging"},
    ),
    Case(
        L,
        "--target prod without Snowflake settings",
        ["load", "--target", "prod"],
        ("Snowflake is not configured", "--target dev for DuckDB"),
    ),
    Case(
        L,
        "a demo day that is not a number",
        ["extract", "--demo"],
        ("SPOTIFY_ELT_DEMO_DAY must be a whole number",),
        env={"SPOTIFY_ELT_DEMO_DAY": "yesterday"},
    ),
    Case(
        L,
        "a negative demo day",
        ["extract", "--demo"],
        ("SPOTIFY_ELT_DEMO_DAY must be a whole number",),
        env={"SPOTIFY_ELT_DEMO_DAY": "-1"},
    ),
    Case(
        L,
        "a date that does not exist",
        ["import-raw", "x.json", "--observed-at", "2026-13-45"],
        ("Invalid value for '--observed-at'",),
        code=2,
    ),
    Case(
        L,
        "a date in another format",
        ["import-raw", "x.json", "--observed-at", "06/12/2026"],
        ("Invalid value for '--observed-at'",),
        code=2,
    ),
    Case(L, "import-raw without a file", ["import-raw"], ("Missing argument 'PATHS...'",), code=2),
    Case(
        L,
        "a --playlist-id that is none",
        ["import-raw", "x.json", "--playlist-id", "nope"],
        ("'nope' is not a Spotify playlist reference", "use a share link"),
    ),
    Case(
        L,
        "a replica port that is no number",
        ["replica", "--port", "eighty"],
        ("Invalid value for '--port'",),
        code=2,
    ),
    Case(L, "docs before any run", ["docs"], ("No docs at", "run `spotify-elt run` first")),
    Case(
        L,
        "export before any run",
        ["export", "tableau"],
        ("No serving file at", "run `spotify-elt run`"),
    ),
    Case(L, "a dbt command that does not exist", ["dbt", "bild"], ("No such command 'bild'",)),
    # -- files ---------------------------------------------------------------------------------
    Case(
        F,
        "import-raw of a missing file",
        ["import-raw", "{home}/nope.json", "--no-build"],
        ("nope.json: no such file or folder",),
    ),
    Case(
        F,
        "import-raw of a folder without JSON",
        ["import-raw", "{home}/empty", "--no-build"],
        ("no .json or .json.gz files in this folder",),
        files={"empty/notes.txt": "hi"},
    ),
    Case(
        F,
        "import-raw of an empty file",
        ["import-raw", "{home}/e.json", "--no-build"],
        ("e.json: the file is empty",),
        files={"e.json": ""},
    ),
    Case(
        F,
        "import-raw of a file that is not JSON",
        ["import-raw", "{home}/t.json", "--no-build"],
        ("t.json: not valid JSON (line 1, column 1",),
        files={"t.json": "hello world"},
    ),
    Case(
        F,
        "import-raw of a JSON list",
        ["import-raw", "{home}/l.json", "--no-build"],
        ("JSON of another kind (list)", "expected a Spotify paging object"),
        files={"l.json": "[1, 2]"},
    ),
    Case(
        F,
        "import-raw of another JSON object",
        ["import-raw", "{home}/o.json", "--no-build"],
        ("JSON of another kind (keys: foo)",),
        files={"o.json": '{"foo": 1}'},
    ),
    Case(
        F,
        "import-raw of a .gz that is no gzip",
        ["import-raw", "{home}/g.json.gz", "--no-build"],
        ("g.json.gz: gzip data is truncated or damaged",),
        files={"g.json.gz": b"\x1f\x8bnot gzip at all"},
    ),
    Case(
        F,
        "import-raw of a good and a bad file",
        ["import-raw", str(TOP50), "{home}/t.json", "--no-build"],
        ("t.json: not valid JSON",),
        files={"t.json": "hello"},
        landed=_top50_landed,
    ),
    # -- references ----------------------------------------------------------------------------
    Case(
        R,
        "text that is no reference",
        ["extract", "--playlist", "my favourite songs"],
        ("is not a Spotify playlist reference", "use a share link"),
        env=CREDENTIALS,
    ),
    Case(
        R,
        "an album URL given as a playlist",
        ["extract", "--playlist", "https://open.spotify.com/album/4aawyAB9vmqN3uQ7FjRGTy"],
        ("is an album link, not a playlist", "use a share link"),
        env=CREDENTIALS,
    ),
    Case(
        R,
        "a track URI given as a playlist",
        ["extract", "--playlist", "spotify:track:4aawyAB9vmqN3uQ7FjRGTy"],
        ("is a track link, not a playlist",),
        env=CREDENTIALS,
    ),
    Case(
        R,
        "an artist link with ?si= given as a playlist",
        [
            "extract",
            "--playlist",
            "https://open.spotify.com/intl-de/artist/4aawyAB9vmqN3uQ7FjRGTy?si=1",
        ],
        ("is an artist link, not a playlist",),
        env=CREDENTIALS,
    ),
    Case(
        R,
        "a user profile link",
        ["extract", "--playlist", "https://open.spotify.com/user/spotify"],
        ("is a user link, not a playlist",),
        env=CREDENTIALS,
    ),
    Case(
        R,
        "a playlist link on another host",
        ["extract", "--playlist", "https://example.com/playlist/37i9dQZEVXbMDoHDwVN2tF"],
        ("is not a Spotify playlist reference",),
        env=CREDENTIALS,
    ),
    Case(
        R,
        "an id one character short",
        ["extract", "--playlist", "37i9dQZEVXbMDoHDwVN2t"],
        ("is not a Spotify playlist reference", "22-character id"),
        env=CREDENTIALS,
    ),
    Case(
        R,
        "an empty reference",
        ["extract", "--playlist", ""],
        ("'' is not a Spotify playlist reference",),
        env=CREDENTIALS,
    ),
    Case(
        R,
        "an unknown playlist id",
        ["extract", "--demo", "--playlist", UNKNOWN_PLAYLIST],
        ("Not found while reading playlist", "Check the playlist id"),
    ),
    Case(
        R,
        "an unknown and a good playlist in one run",
        ["extract", "--demo", "--playlist", UNKNOWN_PLAYLIST, "--playlist", GOOD_DEMO_PLAYLIST],
        ("1 playlist(s) could not be read", "Check the playlist id"),
        landed=_good_playlist_landed,
    ),
    # -- environment ---------------------------------------------------------------------------
    Case(
        E,
        "a data dir inside a file",
        ["load", "--data-dir", "{home}/afile/data"],
        ("as the data directory (Not a directory)", "give a writable folder"),
    ),
    Case(
        E,
        "a project home that is a file",
        ["load"],
        ("as the data directory", "--data-dir"),
        env={"SPOTIFY_ELT_HOME": "{home}/afile"},
    ),
    Case(
        E,
        "an impossible data dir",
        ["load", "--data-dir", "/proc/spotify-elt"],
        ("Cannot use /proc/spotify-elt as the data directory", "give a writable folder"),
    ),
    Case(
        E,
        "a read-only data dir",
        ["extract", "--demo", "--data-dir", "{home}/mnt"],
        ("(Read-only file system)", "give a writable folder"),
        environment="readonly",
    ),
    Case(
        E,
        "a full disk during extract",
        ["extract", "--demo", "--data-dir", "{home}/mnt"],
        ("No space left on device", "free space"),
        environment="full",
    ),
    Case(
        E,
        "an unknown lake URL scheme",
        ["extract", "--demo"],
        ("has the unknown scheme 'ftpx'", "use a local folder, s3://"),
        env={"SPOTIFY_ELT_LAKE_URL": "ftpx://bucket/lake"},
    ),
    Case(
        E,
        "a warehouse file that is no database",
        ["load"],
        ("is not a DuckDB database", "run `spotify-elt rebuild`"),
        files={"data/warehouse.duckdb": "not a database " * 400},
    ),
    Case(
        E,
        "a folder where the warehouse file goes",
        ["load"],
        ("is not a DuckDB database", "Is a directory"),
        files={"data/warehouse.duckdb/keep": ""},
    ),
    Case(
        E,
        "a dbt project folder that is missing",
        ["transform", "--no-docs"],
        ("SPOTIFY_ELT_DBT_PROJECT_DIR is", "holds no dbt_project.yml", "unset it"),
        env={"SPOTIFY_ELT_DBT_PROJECT_DIR": "{home}/no-dbt"},
    ),
    Case(
        E,
        "a dbt profiles folder without profiles.yml",
        ["load"],
        ("SPOTIFY_ELT_DBT_PROFILES_DIR is", "holds no profiles.yml"),
        env={"SPOTIFY_ELT_DBT_PROFILES_DIR": "{home}"},
    ),
    Case(
        E,
        "an API host that does not answer",
        ["extract"],
        ("Could not reach 127.0.0.1:9", "Check the network connection"),
        env=CREDENTIALS,
    ),
    Case(
        E,
        "a second command on the same data dir",
        ["load"],
        ("is using", "wait for it to finish"),
        environment="busy",
    ),
]
# The cases that also run as a real `spotify-elt` process: the fork must agree.
SUBPROCESS_CASES = (
    "broken secrets.toml",
    "max_retry_after_seconds as text",
    "an album URL given as a playlist",
    "import-raw of a good and a bad file",
)
RECORDED: dict[str, str] = {}


@pytest.fixture(scope="module")
def replica():
    from ingestion.spotify_replica import Catalog, ReplicaServer

    with ReplicaServer(mode="current", catalog=Catalog.generate(seed=42)) as server:
        yield server


def _environment(home: Path, extra: dict[str, str], replica) -> dict[str, str]:
    """The test's environment without our settings, the home, then the case's own."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SOURCES__SPOTIFY__", "SPOTIFY_ELT_", "SPOTIFY_API", "SPOTIFY_ACC"))
        and not key.startswith("DESTINATION")
    }
    environment["SPOTIFY_ELT_HOME"] = str(home)
    values = {"home": str(home), "api": replica.api_base_url, "accounts": replica.accounts_base_url}
    environment.update({key: value.format(**values) for key, value in extra.items()})
    return environment


@contextmanager
def _tmpfs(where: Path, options: str) -> Iterator[None]:
    """A tmpfs at `where` (root only): a read-only or a tiny disk, as the case needs."""
    if os.geteuid() != 0:
        pytest.skip("a read-only or full disk needs a tmpfs mount, which needs root")
    where.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@contextmanager
def _environment_of(case: Case, home: Path) -> Iterator[None]:
    if case.environment == "readonly":
        with _tmpfs(home / "mnt", "size=1m,ro"):
            yield
    elif case.environment == "full":
        with _tmpfs(home / "mnt", "size=400k"):
            yield
    elif case.environment == "busy":
        with exclusive_data_dir(home / "data", "run"):
            yield
    else:
        yield


def _home(tmp_path: Path, case: Case) -> Path:
    home = tmp_path / "home"
    (home / ".dlt").mkdir(parents=True)
    (home / "afile").write_text("not a folder")
    for name, content in case.files.items():
        path = home / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return home


def _run_case(case: Case, home: Path, replica, real_process: bool = False) -> Outcome:
    args = [arg.format(home=home) for arg in case.args]
    env = _environment(home, case.env, replica)
    if not real_process:
        return run_forked(args, env, cwd=home)
    result = subprocess.run(
        [str(SPOTIFY_ELT), *args], cwd=home, env=env, capture_output=True, text=True, timeout=300
    )
    return Outcome(result.returncode, result.stdout, result.stderr)


def message_of(outcome: Outcome) -> str:
    """What the user reads: the `error:` lines (with their `  - ` items), or click's Error."""
    lines, taking = [], False
    for line in outcome.stderr.splitlines():
        if line.startswith(("error: ", "Error: ", "Try 'spotify-elt")):
            lines.append(line)
            taking = True
        elif taking and line.startswith("  - "):
            lines.append(line.strip())
        else:
            taking = False
    # click prints its "Try '… --help'" before the error: read it after.
    return " ".join(sorted(lines, key=lambda line: line.startswith("Try ")))


def _normalised(text: str, home: Path) -> str:
    text = text.replace(str(home), "<home>").replace(str(REPO), "<checkout>")
    text = re.sub(r"pid \d+, since [^)]+", "pid <pid>, since <time>", text)
    return re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:<port>", text)


def _assert_one_sentence(case: Case, outcome: Outcome, home: Path) -> str:
    shown = outcome.stderr + outcome.stdout
    assert outcome.returncode == case.code, shown[-3000:]
    assert "Traceback" not in shown, shown[-3000:]
    message = message_of(outcome)
    assert message, f"no error line: {shown[-3000:]}"
    for words in case.expected:
        assert words in message, f"{words!r} not in {message!r}"
    if case.landed is not None:
        case.landed(home)
    return _normalised(message, home)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_mistake_is_one_sentence(case: Case, tmp_path: Path, replica) -> None:
    home = _home(tmp_path, case)
    with _environment_of(case, home):
        outcome = _run_case(case, home, replica)
        RECORDED[case.name] = _assert_one_sentence(case, outcome, home)


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_the_real_command_agrees_with_the_fork(name: str, tmp_path: Path, replica) -> None:
    case = next(case for case in CASES if case.name == name)
    forked_home, real_home = _home(tmp_path / "forked", case), _home(tmp_path / "real", case)
    forked = _assert_one_sentence(case, _run_case(case, forked_home, replica), forked_home)
    real = _run_case(case, real_home, replica, real_process=True)
    assert _assert_one_sentence(case, real, real_home) == forked


def test_debug_shows_the_traceback(tmp_path: Path, replica) -> None:
    case = next(case for case in CASES if case.name == "max_retry_after_seconds as text")
    home = _home(tmp_path, case)
    for flag in ("--debug", "-v"):
        outcome = run_forked([flag, *case.args], _environment(home, case.env, replica), cwd=home)
        assert outcome.returncode == 1
        assert "Traceback" in outcome.stderr
        assert "ConfigValueCannotBeCoercedException" in outcome.stderr


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


def render_table(messages: dict[str, str]) -> str:
    counts = {}
    for case in CASES:
        counts[case.category] = counts.get(case.category, 0) + 1
    lines = [
        "# Bad inputs and what `spotify-elt` says",
        "",
        "Generated from the cases of `tests/test_cli_errors.py` with the messages they produced",
        "(`SPOTIFY_ELT_WRITE_BAD_INPUTS=1 pytest tests/test_cli_errors.py`); a test fails when",
        "this file is stale. Every message is one sentence on stderr that says what happened",
        "and what to do, without a traceback; `spotify-elt -v …` (or `--debug`) adds it. Exit",
        "code 1 is a mistake the command found, 2 one of the command line itself (click).",
        "Where a batch is involved (import-raw, several playlists), the good part of it lands.",
        "`<home>` is the project home, `<checkout>` this repository, `<day>` the day of the run.",
        "",
        f"{len(CASES)} cases: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".",
        "",
        "| # | kind | input | command | exit | message |",
        "|---|---|---|---|---|---|",
    ]
    for number, case in enumerate(CASES, 1):
        command = " ".join(["spotify-elt", *(a or "''" for a in case.args)]).replace(
            "{home}", "<home>"
        )
        command = command.replace(str(REPO), "<checkout>")
        message = messages.get(case.name, "(not run)").replace("|", "\\|")
        # the quarantine's partition is the day of the run: not part of the documented text
        message = re.sub(r"date=\d{4}-\d{2}-\d{2}", "date=<day>", message)
        landed = " The good part of the batch landed." if case.landed else ""
        lines.append(
            f"| {number} | {case.category} | {case.name} | `{command}` | {case.code} | "
            f"{message}{landed} |"
        )
    return "\n".join(lines) + "\n"


def test_the_documented_table_is_current() -> None:
    if set(RECORDED) != {case.name for case in CASES}:
        pytest.skip("only a full run of the cases can check docs/bad-inputs.md")
    table = render_table(RECORDED)
    if WRITE_DOC:
        DOC.write_text(table)
    assert DOC.read_text() == table, (
        "docs/bad-inputs.md is stale: run SPOTIFY_ELT_WRITE_BAD_INPUTS=1 pytest "
        "tests/test_cli_errors.py"
    )
