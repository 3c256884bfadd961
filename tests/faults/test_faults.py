"""Faults at every stage of `spotify-elt run`, each followed by a rerun: the marts after it
equal a clean run's, row by row (tests/faults/conftest.py names the run-dependent columns).

- kill -9 during extract (after 20 API requests), during the lake write (when the first
  lake file appears), during the load (once it has read the lake), during dbt (5 s into
  `dbt build`): the rerun exits 0 with the same marts;
- a 5xx burst (500, 502, 503, 503) and a 429 storm (eight, Retry-After 1): retried or
  waited out, the run itself exits 0;
- a token revoked mid-run (access tokens expire, the refresh token is refused): exit 1
  with one sentence; with the token back, the rerun gives the same marts;
- a hanging server (one request hangs 4 s, timeout 1 s): exit 0 if retried, else exit 1
  and a rerun; same marts;
- a full disk (the data dir on a 400 kB tmpfs; root only, else skipped with the reason):
  exit 1 with one sentence; the rerun with space gives the same marts;
- a second run at once: refused in one sentence, the first completes.
"""

import subprocess
import time
from pathlib import Path

import pytest

from tests.faults.conftest import (
    assert_same_marts,
    kill_when,
    mart_contents,
    new_home,
    run,
    start_run,
)

pytestmark = pytest.mark.slow


def _rerun_matches(home: Path, replica, clean_marts) -> None:
    replica.clear_faults()
    outcome = run(home, replica)
    assert outcome.returncode == 0, outcome.stderr[-3000:]
    assert "Traceback" not in outcome.stderr
    assert_same_marts(mart_contents(home / "data"), clean_marts)


def _files_under(folder: Path) -> bool:
    return folder.exists() and any(path.is_file() for path in folder.rglob("*"))


def test_kill_during_extract_then_rerun(tmp_path, replica, clean_marts):
    home = new_home(tmp_path)
    child = start_run(home, replica)
    said = kill_when(child, lambda: replica.request_count >= 20, "20 API requests")
    assert "==> extract" in said and "==> load" not in said  # killed in the extract step
    _rerun_matches(home, replica, clean_marts)


def test_kill_during_the_lake_write_then_rerun(tmp_path, replica, clean_marts):
    home = new_home(tmp_path)
    child = start_run(home, replica)
    lake = home / "data" / "lake" / "spotify"
    said = kill_when(child, lambda: _files_under(lake), "the first lake file")
    assert "==> load" not in said  # killed before the extract step ended
    _rerun_matches(home, replica, clean_marts)


def test_kill_during_the_load_then_rerun(tmp_path, replica, clean_marts):
    home = new_home(tmp_path)
    child = start_run(home, replica)
    said = kill_when(child, lambda: "lake files read" in child.stderr_so_far(), "the load")
    assert "==> transform" not in said and "raw_spotify rows" not in said  # mid-load
    _rerun_matches(home, replica, clean_marts)


def test_kill_during_dbt_then_rerun(tmp_path, replica, clean_marts):
    home = new_home(tmp_path)
    child = start_run(home, replica)
    started: list[float] = []

    def five_seconds_into_dbt() -> bool:
        if not started and "==> transform" in child.stderr_so_far():
            started.append(time.monotonic())
        return bool(started) and time.monotonic() - started[0] > 5

    said = kill_when(child, five_seconds_into_dbt, "dbt build")
    assert "tests passed" not in said  # dbt had not finished
    assert not (home / "data" / "serving.duckdb").exists()  # nothing published yet
    _rerun_matches(home, replica, clean_marts)


def _run_then_rerun_if_failed(home: Path, replica, clean_marts, **extra: str):
    """The faulty run; if it failed, its message is one sentence and a rerun completes."""
    first = run(home, replica, **extra)
    assert "Traceback" not in first.stderr, first.stderr[-3000:]
    if first.returncode != 0:
        assert "error: " in first.stderr, first.stderr[-3000:]
        _rerun_matches(home, replica, clean_marts)
    else:
        assert_same_marts(mart_contents(home / "data"), clean_marts)
    errors = [line for line in first.stderr.splitlines() if line.startswith(("error: ", "  - "))]
    print(f"first run exit {first.returncode}: {' '.join(errors)[:300]}")
    return first


def test_a_5xx_burst_is_retried(tmp_path, replica, clean_marts):
    home = new_home(tmp_path)
    for status in (500, 502, 503, 503):
        replica.inject_errors(status=status, count=1, after=10 if status == 500 else 0)
    first = _run_then_rerun_if_failed(home, replica, clean_marts)
    assert first.returncode == 0, first.stderr[-3000:]
    assert sum(status >= 500 for _, _, status in replica.request_log) == 4


def test_a_429_storm_is_waited_out(tmp_path, replica, clean_marts):
    home = new_home(tmp_path)
    replica.inject_errors(status=429, count=8, retry_after=1, after=10)
    first = _run_then_rerun_if_failed(home, replica, clean_marts)
    # Five waits per request (make_client's max_retries), then the run stops asking, keeps
    # what it has and says when to run again; the rerun completes it.
    if first.returncode != 0:
        assert "Spotify rate limit" in first.stderr and "run again later" in first.stderr
    assert sum(status == 429 for _, _, status in replica.request_log) >= 6


def test_a_token_revoked_mid_run_then_rerun(tmp_path, replica, clean_marts):
    home = new_home(tmp_path)
    # What Spotify does when a user removes the app's access: access tokens stop working
    # and the refresh token is refused. The replica keeps its grants privately, so this
    # test-only fault takes them away and gives them back.
    grants = dict(replica._refresh_tokens)
    child = start_run(home, replica)
    while replica.request_count < 30 and not child.poll():
        time.sleep(0.01)
    with replica._lock:
        replica._refresh_tokens.clear()
    replica.expire_tokens()
    first = child.outcome()
    assert first.returncode == 1, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    assert "spotify-elt auth" in first.stderr
    with replica._lock:
        replica._refresh_tokens.update(grants)
    _rerun_matches(home, replica, clean_marts)


def test_a_hanging_server_times_out(tmp_path, replica, clean_marts):
    home = new_home(tmp_path)
    handle, calls = replica.handle, []

    # Test-only: the 15th request hangs (each request has its own thread: only it waits).
    def hang_once(method, target, headers, body):
        calls.append(target)
        if len(calls) == 15:
            time.sleep(4)
        return handle(method, target, headers, body)

    replica.handle = hang_once
    try:
        first = _run_then_rerun_if_failed(
            home, replica, clean_marts, SOURCES__SPOTIFY__REQUEST_TIMEOUT_SECONDS="1"
        )
    finally:
        replica.handle = handle
    assert first.returncode in (0, 1)


def test_a_full_disk_then_rerun_with_space(tmp_path, replica, clean_marts):
    import os

    if os.geteuid() != 0:
        pytest.skip("a full disk needs a small tmpfs, and mounting one needs root")
    home = new_home(tmp_path)
    data = home / "data"
    data.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(data)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        first = run(home, replica)
        assert first.returncode == 1
        assert "Traceback" not in first.stderr
        # Said by the lake write (dlt's folders) or, if the disk fills elsewhere, the CLI.
        said = ("No space left on device", "the disk is full")
        assert any(words in first.stderr for words in said), first.stderr[-3000:]
        # Space again: the same folder, grown.
        subprocess.run(["mount", "-o", "remount,size=512m", str(data)], check=True)
        _rerun_matches(home, replica, clean_marts)
    finally:
        subprocess.run(["umount", "-l", str(data)], check=False)


def test_a_second_run_at_once_refuses_and_the_first_completes(tmp_path, replica, clean_marts):
    home = new_home(tmp_path)
    first = start_run(home, replica)
    while replica.request_count < 5 and not first.poll():
        time.sleep(0.01)
    second = run(home, replica)
    assert second.returncode == 1
    assert "Traceback" not in second.stderr
    assert "wait for it to finish" in second.stderr
    outcome = first.outcome()
    assert outcome.returncode == 0, outcome.stderr[-3000:]
    assert_same_marts(mart_contents(home / "data"), clean_marts)
