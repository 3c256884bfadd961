"""`spotify-elt` in a forked child of the test process: the CLI as a user runs it, minus start-up.

A `spotify-elt` process spends 5-14 s importing dlt, dbt and dagster before it reads
its arguments. The parent (the pytest process) imports the CLI once; each case forks
it, and the child sets its own environment, working directory and standard streams,
runs `main` exactly as the console script does and exits with the code the user would
see. Nothing a child does (dlt's configuration caches, logging, os.environ) reaches
the parent or the next case. A few cases in tests/test_cli_errors.py run the real
console script as well, to prove both agree.
"""

import contextlib
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Imported in the parent, once: that is the start-up the children share.
from orchestration.cli import main


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def _child(args: list[str], env: dict[str, str], cwd: Path, out: int, err: int) -> None:
    """Never returns: runs the CLI with fd 1 and 2 on the given files, then _exit."""
    code = 70  # EX_SOFTWARE, if something escapes below
    try:
        os.dup2(out, 1)
        os.dup2(err, 2)
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


def run_forked(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120.0) -> Outcome:
    """Run `spotify-elt ARGS` in a forked child with exactly `env`; its outcome."""
    import signal
    import time

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(list(args), env, cwd, out.fileno(), err.fileno())
        deadline = time.monotonic() + timeout
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise TimeoutError(f"spotify-elt {' '.join(args)} ran longer than {timeout} s")
            time.sleep(0.02)
        out.seek(0)
        err.seek(0)
        return Outcome(
            returncode=os.waitstatus_to_exitcode(status),
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )
