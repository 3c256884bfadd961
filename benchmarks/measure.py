"""Run a command as a subprocess; wall time and peak memory of its whole process tree."""

import logging
import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import psutil

logger = logging.getLogger(__name__)
SAMPLE_SECONDS = 0.05


@dataclass
class Measured:
    label: str
    seconds: float
    peak_rss_bytes: int
    returncode: int
    output_tail: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["peak_rss_mb"] = round(self.peak_rss_bytes / 2**20, 1)
        data["seconds"] = round(self.seconds, 2)
        return data


def _tree_rss(process: psutil.Process) -> int:
    """Resident memory of a process and all its descendants (DuckDB lives in them)."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def run(label: str, command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run `command`, sampling the RSS of its process tree every 50 ms; raise if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    watched = psutil.Process(process.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(watched))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    text = output.decode(errors="replace")
    measured = Measured(label, seconds, peak, process.returncode, text[-3000:])
    logger.info("%s: %.1f s, peak %.0f MB", label, seconds, peak / 2**20)
    if process.returncode != 0:
        raise RuntimeError(f"{label} failed ({' '.join(command)}):\n{text[-3000:]}")
    return measured
