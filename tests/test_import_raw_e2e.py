"""`spotify-elt import-raw` on real Spotify captures, into an empty data directory.

The figures are those anyone can verify from the capture of Top 50 Global of
2023-11-01 (see tests/fixtures/raw/README.md).
"""

import gzip
import shutil
from pathlib import Path

import pytest

from orchestration.config import Settings
from tests.cli import mart_counts, query, run_cli, scalar
from tests.conftest import FIXTURES, TOP50, TOP50_PLAYLIST_ID

pytestmark = pytest.mark.slow
CAPTURED = FIXTURES / "raw"


@pytest.fixture(scope="module")
def top50(tmp_path_factory) -> tuple[Path, object]:
    data_dir = tmp_path_factory.mktemp("import") / "data"
    result = run_cli("import-raw", str(TOP50), "--data-dir", str(data_dir), "--no-docs")
    return data_dir, result


def test_real_capture_gives_exactly_the_known_marts(top50) -> None:
    data_dir, result = top50
    assert result.returncode == 0, result.stderr[-3000:]
    assert "tests passed" in result.stdout and "imported" in result.stdout
    counts = mart_counts(data_dir)
    assert counts["songs"] == 50
    assert counts["albums"] == 36
    assert counts["artists"] == 48
    assert counts["song_artists"] == 68
    assert counts["album_artists"] == 45
    assert counts["playlist_entries"] == 50
    assert dict(query(data_dir, "select album_type, count(*) from marts.albums group by 1")) == {
        "album": 23,
        "single": 11,
        "compilation": 2,
    }
    precisions = dict(
        query(data_dir, "select release_date_precision, count(*) from marts.albums group by 1")
    )
    assert precisions == {"day": 35, "year": 1}
    assert query(
        data_dir,
        "select release_date from marts.albums where release_date_precision = 'year'",
    ) == [(__import__("datetime").date(1962, 1, 1),)]
    assert scalar(data_dir, "select count(*) from marts.songs where is_explicit") == 21


def test_songs_per_artist_through_the_bridge(top50) -> None:
    data_dir, _ = top50
    per_artist = dict(
        query(
            data_dir,
            """
            select artists.artist_name, count(*)
            from marts.song_artists
            inner join marts.artists using (artist_id)
            group by 1
            """,
        )
    )
    assert per_artist["Taylor Swift"] == 13
    assert per_artist["The Weeknd"] == 3
    assert per_artist["Jung Kook"] == 3
    assert per_artist["Bad Bunny"] == 3
    assert "Various Artists" not in per_artist  # never a track artist ...
    various = query(
        data_dir,
        """
        select count(distinct album_id)
        from marts.album_artists
        inner join marts.artists using (artist_id)
        where artist_name = 'Various Artists'
        """,
    )
    assert various == [(2,)]  # ... but the album artist of both compilations


def test_analyses_answer_the_tutorial_questions_correctly(top50) -> None:
    data_dir, _ = top50
    settings = Settings.resolve(data_dir)
    compiled = run_cli(
        "dbt", "--data-dir", str(data_dir), "compile", "--select", "top_songs", "songs_per_artist"
    )
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    compiled = settings.dbt_target_dir / "compiled" / "spotify_elt" / "analyses"
    top = query(data_dir, (compiled / "top_songs.sql").read_text())
    assert len(top) == 50 and [row[0] for row in top] == list(range(1, 51))
    assert all(row[2] for row in top)  # every song has its artist names
    featured = [row for row in top if ", " in row[2]]
    assert featured  # featured artists are kept, not just the album's first artist
    per_artist = query(data_dir, (compiled / "songs_per_artist.sql").read_text())
    assert per_artist[0][1:3] == ("Taylor Swift", 13)
    assert all(name for _, name, *_ in per_artist)  # no blank artist
    assert ("Various Artists", 0) in [(row[1], row[2]) for row in per_artist]


def test_importing_the_same_file_again_changes_nothing(top50, tmp_path) -> None:
    data_dir, _ = top50
    before = mart_counts(data_dir)
    copy = tmp_path / "same_content_other_name.json.gz"
    copy.write_bytes(gzip.compress(TOP50.read_bytes()))
    result = run_cli("import-raw", str(TOP50), "--data-dir", str(data_dir), "--no-docs")
    assert result.returncode == 0 and "unchanged" in result.stdout
    assert mart_counts(data_dir) == before
    lake_files = list((data_dir / "lake" / "imports").rglob("*.json"))
    assert len(lake_files) == 2  # the file and its sidecar, once


def test_captures_of_2026_produce_what_they_must(tmp_path) -> None:
    data_dir = tmp_path / "data"
    both = CAPTURED / "captured_2026_playlist_items.json"
    item_only = CAPTURED / "captured_2026_playlist_items_2_item_shape.json"
    local = CAPTURED / "captured_2026_playlist_2.json"
    episode = CAPTURED / "captured_2026_playlist_3.json"
    result = run_cli(
        "import-raw", str(local), str(episode), "--data-dir", str(data_dir), "--no-docs"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # The two shapes of the same entry, observed on two days, give the same song.
    for path, day in ((both, "2025-07-29"), (item_only, "2025-07-30")):
        result = run_cli(
            "import-raw", str(path), "--observed-at", day, "--data-dir", str(data_dir), "--no-docs"
        )
        assert result.returncode == 0, result.stderr[-3000:]
    rows = query(
        data_dir,
        """
        select playlist_id, snapshot_id, position, item_type, song_id, episode_id, item_name
        from marts.playlist_entries order by playlist_id, snapshot_id, position
        """,
    )
    by_playlist: dict[str, list[tuple]] = {}
    for row in rows:
        by_playlist.setdefault(row[0], []).append(row)
    # playlist_2: a local file (no song) and a Spotify track.
    local_rows = by_playlist["3toMXYM91T55pKzuysH5Ph"]
    assert [r[3] for r in local_rows] == ["local", "track"]
    assert local_rows[0][4] is None and local_rows[0][6] == "No Woman, No Cry"
    # playlist_3: two tracks and a podcast episode (not a song).
    episode_rows = by_playlist["0pM0KTMXM7K5qr3sL2DPw1"]
    assert sorted(r[3] for r in episode_rows) == ["episode", "track", "track"]
    episode_row = next(r for r in episode_rows if r[3] == "episode")
    assert episode_row[4] is None and episode_row[5] == "5ytYkag3JZJ3GP2uuFAEBe"
    # playlist_items (track + item) and the item-only page: one snapshot a day, same song.
    shapes = by_playlist["1Cp6VQCKf2VL4sP09jN9oX"]
    assert [(r[1], r[3], r[4]) for r in shapes] == [
        ("imported-2025-07-29", "track", "3ZL9gPzeCnKG9l5SB1SlcZ"),
        ("imported-2025-07-30", "track", "3ZL9gPzeCnKG9l5SB1SlcZ"),
    ]
    assert scalar(data_dir, "select count(*) from marts.songs") == 4  # 1 + 2 + 1 tracks
    assert scalar(data_dir, "select count(*) from marts.songs where song_id is null") == 0


def test_bad_files_are_named_and_the_good_ones_still_import(tmp_path) -> None:
    data_dir = tmp_path / "data"
    batch = tmp_path / "raw_data"
    batch.mkdir()
    shutil.copy(TOP50, batch / "spotify_raw_2023-11-01 08:50:00.json")
    (batch / "truncated.json").write_text(TOP50.read_text()[:10_000])
    (batch / "html.json").write_text("<html>Bad Gateway</html>")
    result = run_cli("import-raw", str(batch), "--data-dir", str(data_dir), "--no-docs")
    assert result.returncode == 1
    assert "truncated.json: truncated" in result.stderr
    assert "html.json: not valid JSON" in result.stderr
    assert "2 file(s) could not be imported" in result.stderr
    assert "Traceback" not in result.stderr
    assert scalar(data_dir, "select count(*) from marts.songs") == 50
    assert (
        scalar(
            data_dir,
            f"select count(*) from marts.playlists where playlist_id = '{TOP50_PLAYLIST_ID}'",
        )
        == 1
    )
