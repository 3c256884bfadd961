"""`spotify-elt run` end to end on the embedded default: replica → lake → DuckDB → dbt → docs."""

import json
from pathlib import Path

import duckdb
import pytest

from tests.cli import mart_counts, query, run_cli, scalar

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> tuple[Path, object]:
    data_dir = tmp_path_factory.mktemp("run") / "data"
    result = run_cli("run", "--data-dir", str(data_dir), env={"SPOTIFY_ELT_DEMO_DAY": "0"})
    return data_dir, result


def _last_build(data_dir: Path) -> str:
    """dbt's summary line of the last build ("Finished running … 105 data tests …"); the
    run_results file is the docs' by then."""
    log = (data_dir / "dbt" / "logs" / "dbt.log").read_text(encoding="utf-8")
    return [line for line in log.splitlines() if "Finished running 1 exposure" in line][-1]


def test_demo_run_builds_everything_and_says_where(first_run) -> None:
    data_dir, result = first_run
    assert result.returncode == 0, result.stderr[-3000:]
    assert "demo mode" in result.stderr
    summary = result.stdout
    for line in ("extract", "raw", "dbt", "marts", "freshness", "coverage", "lake", "docs"):
        assert f"  {line}" in summary
    # judged at the simulated day (SPOTIFY_ELT_DEMO_DAY), not at today's date
    assert "playlists ok (observed 0 min ago)" in summary
    assert "  coverage   every playlist observed on the last run day" in summary
    assert " 0 failed" in summary and "API requests" in summary
    counts = mart_counts(data_dir)
    assert all(count > 0 for count in counts.values()), counts
    docs = data_dir / "dbt" / "target" / "static_index.html"
    assert docs.exists() and "spotify_elt" in docs.read_text()
    # The daily build runs models and data tests; the unit tests (SQL on fixed inputs) not.
    assert "data tests" in _last_build(data_dir)
    assert "unit test" not in _last_build(data_dir)
    lake = list((data_dir / "lake" / "spotify" / "playlist_entries").glob("date=*/*.jsonl"))
    assert lake and json.loads(lake[0].read_text().splitlines()[0])["payload"]["item"] is not None


def test_marts_hold_the_edge_cases(first_run) -> None:
    data_dir, _ = first_run
    types = dict(
        query(data_dir, "select item_type, count(*) from marts.playlist_entries group by 1")
    )
    assert {"track", "episode", "local", "unavailable"} <= set(types)
    assert scalar(data_dir, "select count(*) from marts.playlist_entries where position >= 100") > 0
    precisions = {
        row[0] for row in query(data_dir, "select release_date_precision from marts.albums")
    }
    assert precisions == {"day", "month", "year"}
    album_types = {row[0] for row in query(data_dir, "select album_type from marts.albums")}
    assert album_types == {"album", "single", "compilation"}
    names = [row[0] for row in query(data_dir, "select song_name from marts.songs")]
    assert any(not name.isascii() for name in names)


def test_second_run_same_day_adds_no_duplicates(first_run) -> None:
    data_dir, _ = first_run
    before = mart_counts(data_dir)
    raw_before = scalar(data_dir, "select count(*) from raw_spotify.playlist_entries")
    result = run_cli("run", "--data-dir", str(data_dir), env={"SPOTIFY_ELT_DEMO_DAY": "0"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert mart_counts(data_dir) == before
    # Unchanged snapshots are not fetched again (issue 11): the rerun lands today's
    # playlist objects only, so the entries stay as they were.
    assert scalar(data_dir, "select count(*) from raw_spotify.playlist_entries") == raw_before
    assert scalar(data_dir, "select count(*) from raw_spotify.playlists") == 2 * scalar(
        data_dir, "select count(distinct playlist_id) from raw_spotify.playlists"
    )


def test_next_day_adds_history_and_rebuild_from_lake_needs_no_api(first_run) -> None:
    data_dir, _ = first_run
    result = run_cli("run", "--data-dir", str(data_dir), env={"SPOTIFY_ELT_DEMO_DAY": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    snapshots = scalar(
        data_dir, "select count(distinct playlist_id || snapshot_id) from marts.playlist_entries"
    )
    assert snapshots > scalar(data_dir, "select count(*) from marts.playlists")
    # Every playlist was seen on both days, changed or not: its first sighting stays day 0.
    assert query(
        data_dir,
        "select count(*) filter (where first_observed_at < last_observed_at), count(*) "
        "from marts.playlists",
    ) == [(5, 5)]
    counts = mart_counts(data_dir)

    (data_dir / "warehouse.duckdb").unlink()
    # No replica is running now: the rebuild reads only the lake.
    rebuilt = run_cli("rebuild", "--data-dir", str(data_dir))
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    assert mart_counts(data_dir) == counts
    assert "12 unit tests" in _last_build(data_dir)  # a rebuild runs every test


def test_history_and_analyses_answer_in_demo_mode(first_run) -> None:
    """After day 0 and day 1 (test above): two observations per playlist, and every
    analysis returns rows."""
    data_dir, _ = first_run
    assert (
        scalar(data_dir, "select count(distinct observed_date) from marts.playlist_chart_days") == 2
    )
    movements = {
        row[0] for row in query(data_dir, "select movement from marts.playlist_chart_days")
    }
    assert {"new", "same"} <= movements and movements & {"up", "down"}
    analyses = (
        "top_songs",
        "songs_per_artist",
        "longest_runs",
        "biggest_climbers_this_week",
        "artists_with_most_chart_days",
    )
    compiled = run_cli("dbt", "--data-dir", str(data_dir), "compile", "--select", *analyses)
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    folder = data_dir / "dbt" / "target" / "compiled" / "spotify_elt" / "analyses"
    rows = {name: query(data_dir, (folder / f"{name}.sql").read_text()) for name in analyses}
    assert all(rows.values()), {name: len(answer) for name, answer in rows.items()}


def test_bad_playlist_fails_the_run_with_advice_and_keeps_the_rest(tmp_path) -> None:
    data_dir = tmp_path / "data"
    result = run_cli(
        "run",
        "--data-dir",
        str(data_dir),
        "--playlist",
        "37i9dQZEVXbMDoHDwVN2tF",
        "--no-docs",
        env={"SPOTIFY_ELT_DEMO_DAY": "0"},
    )
    assert result.returncode == 1
    assert "37i9dQZEVXbMDoHDwVN2tF" in result.stderr and "editorial" in result.stderr
    assert "Traceback" not in result.stderr


def test_docs_site_renders_in_a_browser(first_run) -> None:
    from tests.browser import dump_dom, screenshot

    data_dir, _ = first_run
    url = (data_dir / "dbt" / "target" / "static_index.html").as_uri()
    dom = dump_dom(url + "#!/model/model.spotify_elt.songs")
    assert "song_id" in dom and "Every song" in dom and "Enforced" in dom
    overview = dump_dom(url + "#!/overview")
    assert "raw_spotify" in overview
    shot = screenshot(url + "#!/model/model.spotify_elt.songs", "dbt-docs-songs.png")
    assert shot.exists() and shot.stat().st_size > 10_000


def test_docs_lineage_ends_in_the_tableau_workbook(first_run) -> None:
    from tests.browser import dump_dom, screenshot

    data_dir, _ = first_run
    url = (data_dir / "dbt" / "target" / "static_index.html").as_uri()
    page = url + "#!/exposure/exposure.spotify_elt.spotify_marts_workbook"
    dom = dump_dom(page)
    assert "Spotify marts (Tableau workbook)" in dom and "Depends On" in dom
    assert "playlist_entries" in dom and "analytics@example.com" in dom
    shot = screenshot(page, "dbt-docs-tableau-exposure.png")
    assert shot.exists() and shot.stat().st_size > 10_000
    assert (data_dir / "serving.duckdb").exists()


def test_a_model_whose_columns_changed_names_the_full_refresh(first_run) -> None:
    """After an upgrade that changes an incremental model's columns, one sentence says
    what to do; `transform --full-refresh` rebuilds it and the marts are as before."""
    data_dir, _ = first_run
    counts = mart_counts(data_dir)
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as db:
        db.execute("alter table staging.stg_spotify__artists add column dropped_later varchar")
    result = run_cli("transform", "--no-docs", "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "stg_spotify__artists changed columns" in result.stderr
    assert "spotify-elt transform --full-refresh" in result.stderr
    refreshed = run_cli("transform", "--full-refresh", "--no-docs", "--data-dir", str(data_dir))
    assert refreshed.returncode == 0, refreshed.stderr[-3000:]
    assert mart_counts(data_dir) == counts
