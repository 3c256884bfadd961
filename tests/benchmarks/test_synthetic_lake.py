"""The benchmark's generated lake has exactly the shape of what `extract` writes."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.synthetic_lake import EXTRACTED_AT, TABLES, LakeWriter, bench_catalog
from ingestion.spotify_replica import ReplicaServer
from orchestration import steps
from orchestration.access import replica_source_args
from orchestration.config import Settings

# What differs between two extractions of the same day: dlt's load id and row ids.
DLT_TAIL = re.compile(rb',"_dlt_load_id":"[0-9.]+","_dlt_id":"[A-Za-z0-9+/]{14}"}$')


def _lines(files: list[Path]) -> list[bytes]:
    """The files' lines, byte for byte, without the dlt columns."""
    lines = [line for file in sorted(files) for line in file.read_bytes().split(b"\n")]
    assert lines[-1] == b""  # every line ends with a newline
    stripped = [DLT_TAIL.sub(b"}", line) for line in lines[:-1]]
    assert stripped and all(new != old for new, old in zip(stripped, lines, strict=False))
    return stripped


def test_a_generated_day_is_the_day_extract_lands(tmp_path: Path) -> None:
    day = 3
    catalog = bench_catalog(playlists=3, entries=30)
    with ReplicaServer(mode="current", catalog=catalog, day=day) as server:
        observed = datetime.combine(catalog.date_of(day), EXTRACTED_AT, UTC)
        settings = Settings.resolve(tmp_path / "extracted")
        steps.extract(settings, replica_source_args(server), observed_at=observed)
        written = LakeWriter(catalog, tmp_path / "generated", server.api_base_url).write_day(day)

    extracted_lake = Path(settings.lake_url) / "spotify"
    for table in TABLES:
        extracted = _lines(list(extracted_lake.glob(f"{table}/date=*/*.jsonl")))
        generated = _lines([written.files[table]])
        if table in ("playlists", "playlist_entries"):
            # Record by record and byte for byte, in the order extract writes them.
            assert generated == extracted, table
        else:
            # Artists and albums: the same records; dlt interleaves pages in its own order.
            assert sorted(generated) == sorted(extracted), table
        assert [json.loads(line) for line in generated]  # and they are JSON
    # The file layout extract uses: spotify/<table>/date=<day>/<load_id>.<file_id>.jsonl
    relative = written.files["playlists"].relative_to(tmp_path / "generated").parts
    assert relative[:3] == ("spotify", "playlists", f"date={catalog.date_of(day).isoformat()}")
    load_id, file_id, extension = relative[3].rsplit(".", 2)
    assert int(float(load_id)) == observed.timestamp()  # a unix time, like dlt's load ids
    assert len(file_id) == 10 and extension == "jsonl"
