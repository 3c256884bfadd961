"""The project against plain baselines on one generated lake, side by side.

    python -m benchmarks [--days 14] [--playlists 50] [--entries 100] [--out FILE]
    make bench                                   # the default, a few minutes on 2 cores
    python -m benchmarks --days 365              # the yardstick: one year of history

1. A lake of N days, written from the replica's catalog (benchmarks/synthetic_lake.py):
   byte for byte the files `spotify-elt extract` lands, without HTTP.
2. On those files, each as its own process tree (time, and peak RSS of the process and
   its children, DuckDB included, sampled every 50 ms):
   - project, full rebuild: `spotify-elt load --rebuild`, then `spotify-elt transform
     --full-refresh --unit-tests --no-docs` (as `rebuild`: every model and every test);
   - DuckDB-native baseline: one SQL script building the same marts (benchmarks/
     baseline.sql); its row counts must equal the project's;
   - the tutorial's pandas transform (benchmarks/tutorial_pandas.py), for reference;
   - daily path: day N+1 lands in the lake, then `spotify-elt load` and `transform`
     (as the daily `run`: data tests, not the unit tests);
   - API extract: one day through the local replica over HTTP (requests, entries/s).
3. One table of times, ratios and peak memory; the same as JSON in --out.

Sections are keyed in the JSON (`sections`), so later work can add its own.
"""

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import measure
from benchmarks.synthetic_lake import EXTRACTED_AT, LakeWriter, bench_catalog
from ingestion.raw_tables import RAW_TABLES

logger = logging.getLogger("benchmarks")
ROOT = Path(__file__).resolve().parents[1]
API_BASE_URL = "http://127.0.0.1:8765/v1"  # the replica's default port; hrefs only
# The marts benchmarks/baseline.sql builds too (row counts compared with the project's).
MARTS = (
    "albums",
    "artists",
    "songs",
    "song_artists",
    "album_artists",
    "playlists",
    "playlist_entries",
)
# The targets (yardstick: 365 days × 50 playlists × 100 entries).
MAX_REBUILD_VS_BASELINE = 2.0
MAX_DAILY_SHARE = 0.05
MAX_PEAK_BYTES = 1 << 30
PANDAS = "pandas>=2.2"


def _cli(*args: str) -> list[str]:
    """`spotify-elt …` of this environment."""
    return [str(Path(sys.executable).with_name("spotify-elt")), *args]


def _environment(lake: Path) -> dict[str, str]:
    return {
        "SPOTIFY_ELT_LAKE_URL": str(lake),
        "SPOTIFY_ELT_TARGET": "dev",
        "RUNTIME__DLTHUB_TELEMETRY": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def _tutorial_command(*args: str) -> list[str]:
    """The tutorial in its own environment: pandas is no dependency of the project.

    (Installed next to DuckDB, pandas would be imported by every DuckDB query with a
    Python parameter, dlt's included: seconds added to each `spotify-elt` process.)
    """
    uv = ROOT / ".tools" / "bin" / "uv"
    runner = [str(uv)] if uv.exists() else ["uv"]
    script = str(ROOT / "benchmarks" / "tutorial_pandas.py")
    return [*runner, "run", "--no-project", "--with", PANDAS, "python", script, *args]


def _warm_up() -> float:
    """Compile the project's and its libraries' bytecode once, outside the measurements.

    Where PYTHONDONTWRITEBYTECODE is set, every process would otherwise compile dbt,
    dlt and Dagster from source (tens of seconds of start-up, measured as work).
    """
    started = time.perf_counter()
    code = (
        "import orchestration.cli, orchestration.steps, ingestion.warehouse.bulk_load, "
        "dbt.cli.main, dbt.adapters.duckdb, dlt.destinations.impl.duckdb.duck, "
        "pyarrow.parquet"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)
    # The tutorial's environment, built once (uv caches it).
    subprocess.run([*_tutorial_command("--version")], env=env, check=True, cwd=ROOT)
    return time.perf_counter() - started


def _rows(database: Path, schema: str) -> dict[str, int]:
    """Rows of the marts, or of the raw tables (`--load-only`)."""
    import duckdb

    tables = MARTS if schema == "marts" else RAW_TABLES
    with duckdb.connect(str(database), read_only=True) as db:
        return {t: db.execute(f"select count(*) from {schema}.{t}").fetchone()[0] for t in tables}


def _lake_lines(lake: Path) -> dict[str, int]:
    counts = {}
    for table in RAW_TABLES:
        files = (lake / "spotify" / table).glob("date=*/*.jsonl")
        counts[table] = sum(f.read_bytes().count(b"\n") for f in files)
    return counts


def _transform(
    label: str, data_dir: list[str], env: dict[str, str], skip: bool, *options: str
) -> measure.Measured:
    if skip:
        return measure.Measured(label, 0.0, 0, 0, "skipped (--load-only)")
    return measure.run(label, _cli("transform", "--no-docs", *options, *data_dir), env)


def _json_tail(measured: measure.Measured) -> dict[str, Any]:
    for line in reversed(measured.output_tail.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"{measured.label}: no result line in its output")


def _api_extract(playlists: int, entries: int, work: Path) -> dict[str, Any]:
    """The previous benchmark's figures: one day extracted over HTTP from the replica."""
    from ingestion.spotify_replica import ReplicaServer
    from orchestration import steps
    from orchestration.access import replica_source_args
    from orchestration.config import Settings

    catalog = bench_catalog(playlists, entries)
    with ReplicaServer(mode="current", catalog=catalog, day=0) as server:
        settings = Settings.resolve(work / "api")
        observed = datetime.combine(catalog.date_of(0), EXTRACTED_AT, UTC)
        started = time.perf_counter()
        result = steps.extract(settings, replica_source_args(server), observed_at=observed)
        seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "entries": result.report.entries_read,
        "requests": result.report.stats.requests,
        "entries_per_second": round(result.report.entries_read / seconds),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="spotify-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    lake, data = work / "lake", work / "data"
    for path in (lake, data):
        shutil.rmtree(path, ignore_errors=True)
    report: dict[str, Any] = {
        "params": {
            "days": args.days,
            "playlists": args.playlists,
            "entries": args.entries,
            "cpus": os.cpu_count(),
            "duckdb_memory_limit": os.environ.get(
                "SPOTIFY_ELT_DUCKDB_MEMORY_LIMIT",
                "defaults: lake reader 512MB, warehouse load 256MB, dbt 400MB",
            ),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average_at_start": list(os.getloadavg()),
            "load_only": args.load_only,
        },
        "sections": {},
    }
    sections = report["sections"]

    started = time.perf_counter()
    writer = LakeWriter(bench_catalog(args.playlists, args.entries), lake, API_BASE_URL)
    size = sum(day.bytes for day in writer.write_days(range(args.days)))
    report["lake"] = {
        "days": args.days,
        "bytes": size,
        "generated_in_seconds": round(time.perf_counter() - started, 1),
    }
    logger.info("lake: %d days, %.0f MB", args.days, size / 2**20)
    report["warm_up_seconds"] = round(_warm_up(), 1)

    env = _environment(lake)
    data_dir = ["--data-dir", str(data)]
    load = measure.run("project: load --rebuild", _cli("load", "--rebuild", *data_dir), env)
    # As `spotify-elt rebuild` transforms: every model and every test, unit tests included.
    build = _transform(
        "project: transform", data_dir, env, args.load_only, "--full-refresh", "--unit-tests"
    )
    project_rows = _rows(data / "warehouse.duckdb", "raw_spotify" if args.load_only else "marts")
    sections["full_rebuild"] = {
        "load": load.as_dict(),
        "transform": build.as_dict(),
        "seconds": round(load.seconds + build.seconds, 2),
        "peak_rss_bytes": max(load.peak_rss_bytes, build.peak_rss_bytes),
        "rows": project_rows,
    }

    baseline = measure.run(
        "duckdb-native baseline", [sys.executable, "-m", "benchmarks.baseline", str(lake)]
    )
    baseline_rows = _json_tail(baseline)
    sections["duckdb_baseline"] = {**baseline.as_dict(), "rows": baseline_rows}
    if args.load_only:
        lines = _lake_lines(lake)
        if lines != project_rows:
            raise RuntimeError(f"raw rows {project_rows} differ from lake records {lines}")
    elif baseline_rows != project_rows:
        raise RuntimeError(f"mart rows differ: project {project_rows}, baseline {baseline_rows}")

    if args.no_tutorial:
        tutorial = measure.Measured("pandas tutorial", float("nan"), 0, 0, "skipped")
        sections["pandas_tutorial"] = tutorial.as_dict()
    else:
        command = _tutorial_command(str(lake), str(work / "tutorial"))
        tutorial = measure.run("pandas tutorial", command)
        sections["pandas_tutorial"] = {**tutorial.as_dict(), "rows": _json_tail(tutorial)}

    writer.write_day(args.days)  # the next day lands
    daily_load = measure.run("daily: load", _cli("load", *data_dir), env)
    daily_build = _transform("daily: transform", data_dir, env, args.load_only)
    sections["daily"] = {
        "load": daily_load.as_dict(),
        "transform": daily_build.as_dict(),
        "seconds": round(daily_load.seconds + daily_build.seconds, 2),
        "peak_rss_bytes": max(daily_load.peak_rss_bytes, daily_build.peak_rss_bytes),
        "rows": _rows(data / "warehouse.duckdb", "raw_spotify" if args.load_only else "marts"),
    }

    if not args.no_api:
        sections["api_extract"] = _api_extract(args.playlists, args.entries, work)

    full = sections["full_rebuild"]["seconds"]
    report["ratios"] = {
        "full_rebuild_vs_duckdb_baseline": round(full / baseline.seconds, 2),
        "load_vs_duckdb_baseline": round(load.seconds / baseline.seconds, 2),
        "transform_vs_duckdb_baseline": round(build.seconds / baseline.seconds, 2),
        "full_rebuild_vs_pandas_tutorial": round(full / tutorial.seconds, 2),
        "daily_vs_full_rebuild": round(sections["daily"]["seconds"] / full, 3),
    }
    report["targets"] = {
        "full_rebuild_at_most_2x_baseline": full <= MAX_REBUILD_VS_BASELINE * baseline.seconds,
        "daily_at_most_5pct_of_full_rebuild": sections["daily"]["seconds"]
        <= MAX_DAILY_SHARE * full,
        "load_peak_under_1gb": load.peak_rss_bytes < MAX_PEAK_BYTES,
        "dbt_build_peak_under_1gb": build.peak_rss_bytes < MAX_PEAK_BYTES,
        "project_faster_than_pandas_tutorial": full < tutorial.seconds,
    }
    if args.load_only:  # without dbt, only the load's own targets mean anything
        report["targets"] = {"load_peak_under_1gb": load.peak_rss_bytes < MAX_PEAK_BYTES}
    if args.no_tutorial:
        report["targets"].pop("project_faster_than_pandas_tutorial", None)
    report["load_average_at_end"] = list(os.getloadavg())
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _mb(value: int) -> str:
    return f"{value / 2**20:,.0f} MB"


def render(report: dict[str, Any]) -> str:
    p, s = report["params"], report["sections"]
    full, base = s["full_rebuild"], s["duckdb_baseline"]
    base_seconds = base["seconds"]
    rows = [
        ("project: load --rebuild", full["load"]["seconds"], full["load"]["peak_rss_bytes"]),
        (
            "project: transform (dbt build)",
            full["transform"]["seconds"],
            full["transform"]["peak_rss_bytes"],
        ),
        ("project: full rebuild", full["seconds"], full["peak_rss_bytes"]),
        ("duckdb-native baseline", base_seconds, base["peak_rss_bytes"]),
        (
            "pandas tutorial",
            s["pandas_tutorial"]["seconds"],
            s["pandas_tutorial"]["peak_rss_bytes"],
        ),
        (
            "daily: load (one more day)",
            s["daily"]["load"]["seconds"],
            s["daily"]["load"]["peak_rss_bytes"],
        ),
        (
            "daily: transform",
            s["daily"]["transform"]["seconds"],
            s["daily"]["transform"]["peak_rss_bytes"],
        ),
        ("daily: load + transform", s["daily"]["seconds"], s["daily"]["peak_rss_bytes"]),
    ]
    lines = [
        f"lake: {p['days']} days × {p['playlists']} playlists × ~{p['entries']} entries, "
        f"{report['lake']['bytes'] / 2**20:,.0f} MB of JSON lines; {p['cpus']} cores; "
        f"DuckDB memory_limit {p['duckdb_memory_limit']}; load average at start "
        f"{p['load_average_at_start'][0]:.1f}, at end {report['load_average_at_end'][0]:.1f}",
        "",
        f"  {'':<32} {'seconds':>9} {'× baseline':>11} {'peak RSS':>10}",
    ]
    for label, seconds, peak in rows:
        lines.append(
            f"  {label:<32} {seconds:>9.1f} {seconds / base_seconds:>10.2f}× {_mb(peak):>10}"
        )
    ratios = report["ratios"]
    lines += [
        "",
        f"  full rebuild / pandas tutorial: {ratios['full_rebuild_vs_pandas_tutorial']:.2f}×; "
        f"one more day / full rebuild: {100 * ratios['daily_vs_full_rebuild']:.1f} %",
        f"  rows (project = baseline): {full['rows']}",
    ]
    if "api_extract" in s:
        api = s["api_extract"]
        lines.append(
            f"  API extract, one day over HTTP: {api['seconds']:.1f} s, {api['requests']} "
            f"requests, {api['entries_per_second']} entries/s"
        )
    lines.append("")
    lines += [
        f"  target {name}: {'met' if ok else 'NOT met'}" for name, ok in report["targets"].items()
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--playlists", type=int, default=50)
    parser.add_argument("--entries", type=int, default=100, help="entries per playlist")
    parser.add_argument("--out", default="benchmark.json", help="where to write the JSON")
    parser.add_argument("--workdir", help="keep the lake and warehouse here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="do not delete the work directory")
    parser.add_argument("--no-api", action="store_true", help="skip the HTTP extract section")
    parser.add_argument("--no-tutorial", action="store_true", help="skip the pandas tutorial")
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="skip dbt (raw rows are checked against the lake's records instead)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    report = run(args)
    print(render(report))
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
