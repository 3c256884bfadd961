"""`spotify-elt` in a forked child of a CLI-only process: the CLI as a user runs it, minus start-up.

A `spotify-elt` process spends 5-14 s importing dlt, dbt and dagster before it reads
its arguments. A fork server (multiprocessing's `forkserver`, started once per test
process) imports the CLI once; each case is a fork of that server, which sets its own
environment, working directory and standard streams, runs `main` exactly as the
console script does and exits with the code the user would see. Forking the server,
not the test process: a pytest worker holds threads (xdist's channel, DuckDB, dbt,
Dagster) whose locks a fork would copy held, and a child could hang on one. Nothing a
child does reaches the test process or the next case. A few cases in
tests/test_cli_errors.py run the real console script as well, to prove both agree.
"""

import contextlib
import multiprocessing
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@cache
def _fork_server() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    # Imported in the server, once: that is the start-up the children share.
    context.set_forkserver_preload(["orchestration.cli", "tests.forked_cli"])
    return context


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def _child(args: list[str], env: dict[str, str], cwd: Path, out: str, err: str) -> None:
    """Never returns: runs the CLI with fd 1 and 2 on the given files, then _exit."""
    from orchestration.cli import main  # preloaded by the fork server

    code = 70  # EX_SOFTWARE, if something escapes below
    try:
        os.dup2(os.open(out, os.O_WRONLY), 1)
        os.dup2(os.open(err, os.O_WRONLY), 2)
        # Fresh text streams on the fds (pytest had replaced sys.stdout/stderr with its own).
        sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        sys.stdin = open(os.devnull)  # noqa: SIM115
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        try:
            main.main(args=args, prog_name="spotify-elt", standalone_mode=True)
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
            if isinstance(exit_.code, str):
                sys.stderr.write(exit_.code + "\n")
    except BaseException:  # the interpreter would print it and exit 1: so do we
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed or full stream: nothing more to say
                stream.flush()
        os._exit(code)


class Child:
    """A forked `spotify-elt` that runs while the test watches it (and may kill it)."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.args = list(args)
        self._out = tempfile.NamedTemporaryFile()  # noqa: SIM115 (closed in outcome())
        self._err = tempfile.NamedTemporaryFile()  # noqa: SIM115
        self._process = _fork_server().Process(
            target=_child, args=(self.args, env, cwd, self._out.name, self._err.name)
        )
        self._process.start()
        self.pid = self._process.pid

    def poll(self) -> bool:
        """True once the child has ended."""
        return self._process.exitcode is not None

    def stderr_so_far(self) -> str:
        return os.pread(self._err.fileno(), 1 << 24, 0).decode("utf-8", "replace")

    def kill(self) -> None:
        """kill -9: no clean-up, no finally blocks, as a power cut or the OOM killer."""
        if not self.poll():
            self._process.kill()
            self._process.join()

    def outcome(self, timeout: float = 600.0) -> Outcome:
        deadline = time.monotonic() + timeout
        while not self.poll():
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"spotify-elt {' '.join(self.args)} ran longer than {timeout} s")
            time.sleep(0.02)
        streams = []
        for stream in (self._out, self._err):
            stream.seek(0)
            streams.append(stream.read().decode("utf-8", "replace"))
            stream.close()
        return Outcome(self._process.exitcode, *streams)


def run_forked(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120.0) -> Outcome:
    """Run `spotify-elt ARGS` in a forked child with exactly `env`; its outcome."""
    return Child(args, env, cwd).outcome(timeout)
