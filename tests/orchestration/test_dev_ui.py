"""`python -m orchestration.dev` serves the UI; headless chromium finds the asset graph in it;
Ctrl-C (SIGINT) and SIGTERM stop it and every process it started."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration import dev
from orchestration.config import CHECKOUT_ROOT as PROJECT_ROOT
from orchestration.config import Settings
from tests.browser import ARTIFACTS, dump_dom, screenshot
from tests.network import free_port

ASSETS_QUERY = json.dumps({"query": "{ assetNodes { assetKey { path } } }"}).encode()


def _asset_keys(port: int) -> set[str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=ASSETS_QUERY,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        nodes = json.load(response)["data"]["assetNodes"]
    return {"/".join(node["assetKey"]["path"]) for node in nodes}


def _wait_for_assets(port: int, process: subprocess.Popen, log: Path, timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"dev exited early:\n{log.read_text()[-3000:]}"
        try:
            keys = _asset_keys(port)
            if "marts/songs" in keys:
                return keys
        except (OSError, KeyError, TypeError, ValueError):
            pass  # not serving yet, or the code location still loading
        time.sleep(1)
    pytest.fail(f"the UI did not serve the assets in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_ui_shows_the_asset_graph_and_stops_on_ctrl_c(
    settings: Settings, defs: object, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    # The package's parsed manifest (and dbt's partial parse) make the start quicker.
    shutil.copytree(settings.data_dir / "dbt" / "manifest", data_dir / "dbt" / "manifest")
    port = free_port()
    log = tmp_path / "dev.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "orchestration.dev",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
                "--dagster-home",
                str(tmp_path / "dagster_home"),
                "--demo",
            ],
            cwd=PROJECT_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    dagster_dev = None
    try:
        keys = _wait_for_assets(port, process, log, timeout=180)
        assert {"spotify_api", "lake/spotify", "raw_spotify/playlists", "marts/songs"} <= keys
        [dagster_dev] = _children(process.pid)

        base = f"http://127.0.0.1:{port}"
        songs_lineage = (
            f"{base}/assets/marts/songs?view=lineage&lineageScope=upstream&lineageDepth=10"
        )
        # Let the app fetch from the GraphQL API and lay out the graph before the dump.
        dom = dump_dom(songs_lineage, window="1600,1000", budget_ms=20_000)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "dagster-lineage-songs.html").write_text(dom)
        # The upstream lineage of songs, drawn: API → lake → raw → staging → … → mart.
        for text in ("spotify_api", "playlist_entries", "songs", "Materialize"):
            assert text in dom, text
        for group in ("ingestion", "raw", "staging", "intermediate", "marts"):
            assert f">{group}<" in dom, group

        for name, url in (
            ("dagster-lineage-songs.png", songs_lineage),
            ("dagster-asset-groups.png", f"{base}/asset-groups"),
        ):
            shot = screenshot(url, name, window="1600,1000", budget_ms=20_000)
            assert shot.stat().st_size > 10_000, f"{shot} looks empty"
    finally:
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            returncode = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert returncode == 0, log.read_text()[-3000:]
    assert "dagster dev stopped" in log.read_text()
    if dagster_dev is not None:
        assert not _group_alive(dagster_dev), "processes of dagster dev outlived it"


@pytest.mark.parametrize(
    "signals",
    [
        pytest.param([signal.SIGTERM], id="sigterm"),
        # One Ctrl-C delivered twice (by the terminal, and forwarded by `uv run`).
        pytest.param([signal.SIGINT, signal.SIGINT], id="ctrl-c-forwarded"),
    ],
)
def test_a_stop_request_ends_the_whole_process_group_gracefully(
    tmp_path: Path, signals: list[signal.Signals]
) -> None:
    # A stand-in for `dagster dev`: it starts a grandchild and, like dagster dev,
    # shuts down on SIGINT, leaving the grandchild behind for the group clean-up.
    script = tmp_path / "stand_in.py"
    script.write_text(
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "print('ready', flush=True)\n"
        "try:\n"
        "    time.sleep(600)\n"
        "except KeyboardInterrupt:\n"
        "    time.sleep(1.5)  # shutting down takes a while, as for dagster dev\n"
        "    sys.exit(0)\n"
    )
    runner = tmp_path / "runner.py"
    runner.write_text(
        "import sys\n"
        "from orchestration import dev\n"
        f"sys.exit(dev.run([sys.executable, {str(script)!r}], None, {str(tmp_path)!r}))\n"
    )
    process = subprocess.Popen(
        [sys.executable, str(runner)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        [stand_in] = _children(process.pid)
        assert _group_alive(stand_in)
        for signum in signals:
            process.send_signal(signum)
            time.sleep(0.2)
        _, errors = process.communicate(timeout=30)
        assert process.returncode == 0
        assert not _group_alive(stand_in)
        assert "did not stop" not in errors  # a graceful stop, not a forced one
    finally:
        if process.poll() is None:
            process.kill()


def test_dev_writes_an_instance_config_with_one_warehouse_writer(tmp_path: Path) -> None:
    dev.prepare_home(tmp_path / "home")
    config = (tmp_path / "home" / "dagster.yaml").read_text()
    assert "default_limit: 1" in config
    (tmp_path / "home" / "dagster.yaml").write_text("# mine\n")
    dev.prepare_home(tmp_path / "home")
    assert (tmp_path / "home" / "dagster.yaml").read_text() == "# mine\n"  # never overwritten
