"""The Tableau export on a serving file in the shapes of the shared contract (the history
marts): the extract read back through Hyper, and a workbook that Tableau can open.

The same checks run on the real marts of a pipeline run in test_serving_e2e.py.
"""

import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from orchestration.config import CHECKOUT_ROOT
from serving.tableau.workbook import SHEETS, workbook_fields
from tests.browser import ARTIFACTS
from tests.serving.conftest import serving_file
from tests.serving.history_marts import PLAYLISTS
from tests.serving.tableau_checks import (
    datatype_of,
    read_extract,
    read_marts,
    shelf_references,
    twb_of,
    vocabulary_errors,
    workbook_field_types,
)

# tableaudocumentapi (a reader of real Tableau files) still uses distutils' Version.
pytestmark = pytest.mark.filterwarnings("ignore:distutils Version classes:DeprecationWarning")

HISTORY_SHEETS = {sheet.name for sheet in SHEETS if sheet.mart != "playlist_entries"}


def test_extract_holds_every_mart_with_its_rows_and_tableau_types(
    history_settings, history_export
) -> None:
    marts = read_marts(serving_file(history_settings))
    extract = read_extract(history_export.hyper)
    assert (
        set(extract)
        == set(marts)
        == {
            "playlist_chart_days",
            "song_playlist_runs",
            "song_playlist_totals",
            "playlist_daily_changes",
            "artist_playlist_days",
            "playlist_current_tracks",
        }
    )
    for name, rows in marts.items():
        types, extract_rows = extract[name]
        assert extract_rows == rows, name
    chart_types = extract["playlist_chart_days"][0]
    assert chart_types["observed_date"] == "DATE"
    assert chart_types["position"] == "BIG_INT"
    assert extract["song_playlist_runs"][0]["is_current"] == "BOOL"
    assert extract["playlist_current_tracks"][0]["release_date"] == "DATE"


def test_every_workbook_field_exists_in_the_extract_with_the_expected_type(
    history_export,
) -> None:
    assert history_export.workbook is not None
    assert set(history_export.sheets) == HISTORY_SHEETS
    root = twb_of(history_export.workbook)
    extract = {name: types for name, (types, _) in read_extract(history_export.hyper).items()}
    expected = workbook_fields()
    declared = workbook_field_types(root)
    assert set(declared) == HISTORY_SHEETS
    for sheet, fields in declared.items():
        for field, (mart, datatype) in fields.items():
            column = field.split("].[")[-1].rstrip("]")
            assert column in extract[mart], f"{sheet}: {mart}.{column} is not in the extract"
            assert datatype_of(extract[mart][column]) == datatype == expected[mart][column], field
    # Every reference on a shelf, a mark, a filter or the axis names a declared field.
    for sheet, references in shelf_references(root).items():
        for reference in references:
            source, instance = reference.split("].[", 1)
            column = instance.split(":")[1]
            assert f"{source}].[{column}]" in declared[sheet], f"{sheet}: {reference}"


def test_workbook_is_what_tableau_writes(history_export) -> None:
    """Tableau's schema allows every element and attribute (tests/serving/twb_schema.py),
    and the Document API (a reader of real Tableau files) sees the sheets and fields."""
    from tableaudocumentapi import Workbook

    root = twb_of(history_export.workbook)
    assert vocabulary_errors(root) == []
    assert root.get("version") == "18.1"
    workbook = Workbook(str(history_export.workbook))
    assert set(workbook.worksheets) == HISTORY_SHEETS
    for source in workbook.datasources:
        (connection,) = source.connections
        assert (connection.dbclass, connection.dbname) == (
            "hyper",
            "Data/Extracts/spotify_marts.hyper",
        )
    fields = {source.name: set(source.fields) for source in workbook.datasources}
    assert "[item_name]" in fields["federated.playlist_chart_days"]
    assert "[artist_names]" in fields["federated.playlist_current_tracks"]


def test_chart_sheet_puts_position_one_on_top(history_export) -> None:
    root = twb_of(history_export.workbook)
    (chart,) = [
        s for s in root.iterfind("worksheets/worksheet") if s.get("name") == "Playlist chart"
    ]
    rows = chart.findtext("table/rows")
    assert rows == "[federated.playlist_chart_days].[min:position:qk]"
    (axis,) = chart.iterfind("table/style/style-rule[@element='axis']/encoding")
    assert (axis.get("field"), axis.get("reverse"), axis.get("scope")) == (rows, "true", "rows")
    assert chart.find("table/panes/pane/mark").get("class") == "Line"
    assert chart.find("table/panes/pane/encodings/color").get("column").endswith(":item_name:nk]")
    # The playlist filter starts on one playlist (the one with the most rows).
    member = chart.find("table/view/filter/groupfilter").get("member")
    assert member.strip('"') in PLAYLISTS


def test_live_data_sources_for_snowflake_and_duckdb(history_settings, history_export) -> None:
    from tableaudocumentapi import Datasource

    by_kind: dict[str, list[Path]] = {}
    for path in history_export.data_sources:
        by_kind.setdefault(path.parent.name, []).append(path)
    assert {p.stem for p in by_kind["snowflake"]} == {p.stem for p in by_kind["duckdb"]}
    assert len(by_kind["snowflake"]) == len(history_export.tables)
    snowflake = Datasource.from_file(str(by_kind["snowflake"][0]))
    (connection,) = snowflake.connections
    assert connection.dbclass == "snowflake" and connection.dbname == "SPOTIFY"
    assert connection.username == "SPOTIFY_TABLEAU"  # ingestion/warehouse/snowflake_setup.sql
    duck = Datasource.from_file(str(by_kind["duckdb"][0]))
    assert duck.connections[0].dbclass == "duckdb_jdbc"
    for path in history_export.data_sources:
        text = path.read_text(encoding="utf-8")
        assert "password=" not in text.lower()  # Tableau asks; nothing secret is written
        assert vocabulary_errors(ET.fromstring(text.encode())) == []
    setup = (CHECKOUT_ROOT / "ingestion" / "warehouse" / "snowflake_setup.sql").read_text()
    assert "SPOTIFY_REPORTER" in by_kind["snowflake"][0].read_text() and "SPOTIFY_REPORTER" in setup


def test_packaged_workbook_layout(history_export) -> None:
    with zipfile.ZipFile(history_export.workbook) as package:
        names = package.namelist()
    assert names == ["spotify_marts.twb", "Data/Extracts/spotify_marts.hyper"]


def test_missing_hyper_api_is_named_with_the_group_to_install(history_settings, tmp_path) -> None:
    code = (
        "import sys; sys.modules['tableauhyperapi'] = None; "
        "from serving.cli import export; export()"  # `spotify-elt export`, without the rest
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "tableau",
            "--data-dir",
            str(history_settings.data_dir),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "uv sync --extra tableau" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_chart_picture_for_people_without_tableau(history_export) -> None:
    """The chart sheet's data as Tableau shows it: position by day, a line per song, 1 on top."""
    path = render_chart(history_export.hyper, ARTIFACTS / "tableau-playlist-chart.png")
    assert path.stat().st_size > 10_000


def render_chart(extract: Path, target: Path, playlist: str | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    (chart,) = [sheet for sheet in SHEETS if sheet.name == "Playlist chart"]
    types, rows = read_extract(extract)[chart.mart]
    names = list(types)
    records = [dict(zip(names, row, strict=True)) for row in rows]
    playlist = playlist or max(
        {r["playlist_id"] for r in records},
        key=lambda p: (sum(r["playlist_id"] == p for r in records), p),
    )
    lines: dict[str, dict] = {}
    for record in records:
        if record["playlist_id"] == playlist:
            line = lines.setdefault(record["item_id"], {"name": record["item_name"], "points": {}})
            day = record["observed_date"]
            line["points"][day] = min(line["points"].get(day, 10**9), record["position"])
    figure, axes = pyplot.subplots(figsize=(10, 6), dpi=100)
    for line in lines.values():
        days = sorted(line["points"])
        axes.plot(days, [line["points"][d] for d in days], marker="o", label=line["name"])
    axes.invert_yaxis()  # position 1 on top, as the sheet's reversed axis
    axes.set_title(f"Playlist chart: {playlist} (Tableau sheet 'Playlist chart')")
    axes.set_xlabel("observed_date")
    axes.set_ylabel("MIN(position)")
    axes.legend(loc="center left", bbox_to_anchor=(1, 0.5), fontsize="small")
    figure.autofmt_xdate()
    figure.tight_layout()
    target.parent.mkdir(exist_ok=True)
    figure.savefig(target)
    pyplot.close(figure)
    assert axes.yaxis_inverted()
    return target


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda sheet: sheet.name)
def test_sheets_read_one_mart_each(sheet) -> None:
    assert {use.column for use in sheet.uses()} <= set(workbook_fields()[sheet.mart])
