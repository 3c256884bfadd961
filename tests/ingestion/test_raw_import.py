"""import-raw's checks on real saved responses and on damaged ones."""

import gzip
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion.errors import LakeWriteError
from ingestion.lake import Lake
from ingestion.lake.imports import import_files, infer_observed_at, records_of_import
from tests.cli import run_cli
from tests.conftest import FIXTURES, TOP50, TOP50_PLAYLIST_ID


def _lake(tmp_path: Path) -> Lake:
    return Lake(str(tmp_path / "lake"))


def test_real_archive_lands_unchanged_and_once(tmp_path: Path) -> None:
    outcome = import_files([str(TOP50)], _lake(tmp_path))
    assert outcome.errors == [] and len(outcome.imported) == 1
    meta = outcome.imported[0]
    assert meta.playlist_id == TOP50_PLAYLIST_ID  # from the file's href
    assert meta.observed_at == "2023-11-01T08:47:52+00:00"  # from the entries' added_at
    assert meta.entries == 50
    landed = tmp_path / "lake" / meta.lake_path
    assert landed.read_bytes() == TOP50.read_bytes()
    assert "date=2023-11-01" in meta.lake_path

    again = import_files([str(TOP50)], _lake(tmp_path))
    assert again.imported == [] and again.unchanged == [str(TOP50)]
    assert len(list((tmp_path / "lake").rglob("*.json"))) == 2  # the file and its sidecar


def test_gzip_and_tutorial_file_names(tmp_path: Path) -> None:
    archive = tmp_path / "raw_data" / "spotify_raw_2023-11-02 06:00:01.481516.json.gz"
    archive.parent.mkdir()
    archive.write_bytes(gzip.compress(TOP50.read_bytes()))
    outcome = import_files([str(archive.parent)], _lake(tmp_path))
    assert outcome.errors == []
    assert outcome.imported[0].observed_at == "2023-11-02T06:00:01+00:00"
    landed = tmp_path / "lake" / outcome.imported[0].lake_path
    assert landed.read_bytes() == archive.read_bytes()  # still gzip, byte for byte


def test_records_read_both_shapes_and_playlist_objects(tmp_path: Path) -> None:
    files = [
        FIXTURES / "raw" / f"captured_2026_{name}.json"
        for name in ("playlist_2", "playlist_3", "playlist_items", "playlist_items_2_item_shape")
    ]
    outcome = import_files([str(f) for f in files], _lake(tmp_path))
    assert outcome.errors == []
    by_name = {Path(meta.source).name: meta for meta in outcome.imported}
    local = by_name["captured_2026_playlist_2.json"]
    assert local.kind == "playlist" and local.snapshot_id.startswith("AAAA")
    rows = list(
        records_of_import(
            json.loads(json.dumps(local.__dict__)),
            (tmp_path / "lake" / local.lake_path).read_bytes(),
        )
    )
    tables = [table for table, _ in rows]
    assert tables.count("playlists") == 1 and tables.count("playlist_entries") == 2
    assert rows[1][1]["payload"]["is_local"] is True
    item_only = by_name["captured_2026_playlist_items_2_item_shape.json"]
    assert item_only.kind == "entries_page" and item_only.snapshot_id == "imported-2025-07-29"


def _write(path: Path, content: bytes | str) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("not_json.json", "<html>502 Bad Gateway</html>", "not valid JSON"),
        ("truncated.json", TOP50.read_text()[:5000], "truncated"),
        ("truncated.json.gz", gzip.compress(TOP50.read_bytes())[:3000], "gzip data is truncated"),
        ("empty.json", "", "empty"),
        ("list.json", "[1, 2]", "JSON of another kind (list)"),
        ("artist.json", '{"id": "x", "type": "artist", "name": "A"}', "JSON of another kind"),
        ("error.json", '{"error": {"status": 429, "message": "x"}}', "error response"),
        (
            "album_tracks.json",
            '{"href": "h", "items": [{"type": "track", "name": "n"}]}',
            "not of playlist entries",
        ),
    ],
)
def test_bad_files_are_named_with_what_is_wrong(
    tmp_path: Path, name: str, content: bytes | str, message: str
) -> None:
    bad = _write(tmp_path / name, content)
    outcome = import_files([str(bad), str(TOP50)], _lake(tmp_path))
    assert len(outcome.errors) == 1
    assert str(bad) in outcome.errors[0] and message in outcome.errors[0]
    assert [meta.entries for meta in outcome.imported] == [50]  # the good file still imports


def test_entry_without_the_fields_we_need(tmp_path: Path) -> None:
    document = json.loads(TOP50.read_text())
    del document["items"][3]["track"]["album"]
    bad = _write(tmp_path / "no_album.json", json.dumps(document))
    outcome = import_files([str(bad)], _lake(tmp_path))
    assert outcome.errors == [f"{bad}: entry 3 lacks album; cannot build songs from it."]


def test_missing_playlist_id_and_time_ask_for_options(tmp_path: Path) -> None:
    document = json.loads(TOP50.read_text())
    document["href"] = None
    for entry in document["items"]:
        entry.pop("added_at")
    bare = _write(tmp_path / "bare.json", json.dumps(document))
    outcome = import_files([str(bare)], _lake(tmp_path))
    assert "--playlist-id" in outcome.errors[0]
    outcome = import_files([str(bare)], _lake(tmp_path), playlist_id=TOP50_PLAYLIST_ID)
    assert "--observed-at" in outcome.errors[0]
    when = datetime(2023, 11, 5, tzinfo=UTC)
    outcome = import_files(
        [str(bare)], _lake(tmp_path), playlist_id=TOP50_PLAYLIST_ID, observed_at=when
    )
    assert outcome.errors == [] and outcome.imported[0].snapshot_id == "imported-2023-11-05"


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    outcome = import_files([str(tmp_path / "nowhere")], _lake(tmp_path))
    assert "no such file or folder" in outcome.errors[0]


def test_observed_at_from_names() -> None:
    assert infer_observed_at("spotify_raw_20231101T084752.json", []) == datetime(
        2023, 11, 1, 8, 47, 52, tzinfo=UTC
    )
    assert infer_observed_at("x/top50-2023-11-01.json", []) == datetime(2023, 11, 1, tzinfo=UTC)
    assert infer_observed_at("x.json", []) is None


def _top50_with(change) -> bytes:
    document = json.loads(TOP50.read_text())
    change(document)
    return json.dumps(document).encode()


def _nested(levels: int) -> bytes:
    nested = b"[" * levels + b"]" * levels  # as text: Python's json cannot even build it
    return TOP50.read_bytes().replace(b'"name": "', b'"extra": ' + nested + b', "name": "', 1)


def _bad_added_at(document: dict) -> None:
    document["items"][7]["added_at"] = "last tuesday"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        # Valid JSON, but no valid Unicode: the warehouse could never store it.
        (
            "surrogate.json",
            TOP50.read_bytes().replace(b'"name": "', b'"name": "\\ud800', 1),
            "not valid Unicode",
        ),
        ("latin1.json", '{"href": "caf\xe9"}'.encode("latin-1"), "not valid Unicode"),
        ("deep.json", _nested(100), "nested deeper than 64 levels"),
        ("very_deep.json", _nested(5000), "nested deeper than 64 levels"),
        ("bomb.json.gz", gzip.compress(b" " * (2 << 20)), "unpacks to more than 1 MB"),
        ("big.json", TOP50.read_bytes() + b" " * (1 << 20), "larger than 1 MB"),
        ("offset.json", _top50_with(lambda d: d.update(offset="ten")), "`offset` is 'ten'"),
        ("offset_float.json", _top50_with(lambda d: d.update(offset=1.5)), "`offset` is 1.5"),
        ("added_at.json", _top50_with(_bad_added_at), "entry 7 has `added_at` 'last tuesday'"),
        ("nan.json", b'{"href": "h", "items": [], "offset": NaN}', "not valid JSON"),
    ],
)
def test_hostile_files_are_set_aside_and_the_batch_imports(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    bad = _write(tmp_path / name, content)
    lake = _lake(tmp_path)
    outcome = import_files([str(bad), str(TOP50)], lake, max_bytes=1 << 20)

    (aside,) = outcome.set_aside
    assert aside.source == str(bad) and message in aside.reason, aside.reason
    assert outcome.errors == [aside.reason]
    assert "\n" not in aside.reason
    # The good file of the same batch landed.
    assert [meta.entries for meta in outcome.imported] == [50]
    # The bad one is kept in the quarantine with its reason, never among the loadable files.
    kept = Path(aside.quarantine_path)
    assert kept.is_relative_to(tmp_path / "lake" / "quarantine" / "import")
    oversized = len(content) > 1 << 20
    assert kept.read_bytes() == (b"" if oversized else content)
    reason = Path(f"{kept}.reason.txt").read_text()
    assert reason.startswith(aside.reason) and f"source: {bad}" in reason
    assert not list((tmp_path / "lake" / "imports").rglob(f"*{name}"))


def test_added_at_is_not_needed_when_the_name_has_a_date(tmp_path: Path) -> None:
    dated = _write(tmp_path / "top50_2023-11-03.json", _top50_with(_bad_added_at))
    outcome = import_files([str(dated)], _lake(tmp_path))
    assert outcome.errors == [] and outcome.imported[0].observed_at.startswith("2023-11-03")


def test_an_unreadable_file_is_named_not_set_aside(tmp_path: Path) -> None:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "a.json").symlink_to(tmp_path / "gone.json")  # dangling: cannot be opened
    _write(folder / "b.json", TOP50.read_bytes())
    outcome = import_files([str(folder)], _lake(tmp_path))
    assert outcome.set_aside == [] and len(outcome.errors) == 1
    assert "a.json: cannot be read" in outcome.errors[0]
    assert [meta.entries for meta in outcome.imported] == [50]


def test_cli_names_each_set_aside_file_and_later_loads_are_not_poisoned(tmp_path: Path) -> None:
    """Before: a lone surrogate imported with exit 0, then every load failed, naming no file."""
    batch = tmp_path / "raw_data"
    batch.mkdir()
    surrogate = TOP50.read_bytes().replace(b'"name": "', b'"name": "\\ud83d', 1)
    _write(batch / "a_surrogate.json", surrogate)
    _write(batch / "b_offset.json", _top50_with(lambda d: d.update(offset="ten")))
    _write(batch / "c_good.json", TOP50.read_bytes())
    data_dir = tmp_path / "data"

    imported = run_cli("import-raw", str(batch), "--data-dir", str(data_dir), "--no-build")

    assert imported.returncode == 1
    assert "Traceback" not in imported.stderr
    errors = [line for line in imported.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, imported.stderr
    quarantine = data_dir / "lake" / "quarantine" / "import"
    for error, name in zip(errors, ("a_surrogate.json", "b_offset.json"), strict=True):
        assert error.startswith(f"error: {batch / name}: ") and "Set aside in" in error
        assert str(quarantine) in error
    assert f"imported   {batch / 'c_good.json'}" in imported.stdout

    for _ in range(2):  # later loads are normal
        loaded = run_cli("load", "--data-dir", str(data_dir))
        assert loaded.returncode == 0, loaded.stderr[-3000:]
        assert "playlist_entries 50" in loaded.stdout


def test_a_lake_that_cannot_be_written_stops_the_batch_in_one_sentence(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("a read-only lake needs a tmpfs mount, which needs root")
    lake_dir = tmp_path / "lake"
    lake_dir.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(lake_dir)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        with pytest.raises(LakeWriteError) as raised:
            import_files([str(TOP50)], _lake(tmp_path))
    finally:
        subprocess.run(["umount", str(lake_dir)], check=False)
    assert str(raised.value) == (
        f"Could not write the lake at {lake_dir} (Read-only file system); the files imported "
        "before stay: free space or fix the permissions, then import again."
    )
