"""The packaged workbook (.twbx): the extract plus a .twb with three sheets.

The .twb follows the structure Tableau Desktop writes (version 18.1 documents: one
inline `federated` data source per mart over a `hyper` named connection, worksheets
with datasource-dependencies, panes, rows and cols, and a window per sheet), checked
against Tableau's published workbook schema (tests/serving/test_workbook.py). The
sheets are declared once, in SHEETS; the fields they use, with the types they expect,
derive from it (`workbook_fields`).
"""

import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from serving.tableau.hyper import EXTRACT_SCHEMA, Table

USER_NS = "http://www.tableausoftware.com/xml/user"
ET.register_namespace("user", USER_NS)

DOCUMENT_VERSION = "18.1"
SOURCE_BUILD = "2020.1.0 (20201.20.0220.1524)"
EXTRACT_NAME = "spotify_marts.hyper"
EXTRACT_IN_PACKAGE = f"Data/Extracts/{EXTRACT_NAME}"
CONNECTION_NAME = "hyper.spotify_marts"

_PREFIX = {"None": "none", "Min": "min", "Max": "max", "Sum": "sum", "CountD": "ctd"}
_KIND = {"nk": "nominal", "ok": "ordinal", "qk": "quantitative"}


@dataclass(frozen=True)
class Use:
    """One field on a shelf: a mart column, how it is aggregated, discrete or continuous."""

    column: str
    datatype: str  # the Tableau datatype the sheet expects of the column
    derivation: str = "None"
    kind: str = "nk"

    @property
    def instance(self) -> str:
        return f"[{_PREFIX[self.derivation]}:{self.column}:{self.kind}]"


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    mart: str
    mark: str
    rows: tuple[Use, ...]
    cols: tuple[Use, ...] = ()
    color: Use | None = None
    detail: tuple[Use, ...] = ()
    text: Use | None = None
    tooltip: tuple[Use, ...] = ()
    filter: Use | None = None  # a single-value quick filter, starting on one value
    reversed_axis: Use | None = None  # position 1 on top
    sort_by: tuple[Use, Use] | None = None  # (dimension, measure): descending

    def uses(self) -> list[Use]:
        found = [*self.rows, *self.cols, *self.detail, *self.tooltip]
        found += [use for use in (self.color, self.text, self.filter) if use is not None]
        if self.sort_by:
            found += list(self.sort_by)
        return found


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        name="Top songs now",
        title="Top songs of the playlist now, with every credited artist",
        mart="playlist_current_tracks",
        mark="Text",
        rows=(
            Use("position", "integer", kind="ok"),
            Use("song_name", "string"),
            Use("artist_names", "string"),
        ),
        text=Use("album_name", "string"),
        tooltip=(
            Use("release_date", "date", kind="ok"),
            Use("is_explicit", "boolean"),
            Use("observed_date", "date", kind="ok"),
        ),
        filter=Use("playlist_name", "string"),
    ),
    Sheet(
        name="Playlist chart",
        title="The playlist's chart by day: position of each song (1 on top)",
        mart="playlist_chart_days",
        mark="Line",
        rows=(Use("position", "integer", derivation="Min", kind="qk"),),
        cols=(Use("observed_date", "date", kind="qk"),),
        color=Use("item_name", "string"),
        detail=(Use("item_id", "string"),),
        tooltip=(Use("movement", "string"),),
        filter=Use("playlist_id", "string"),
        reversed_axis=Use("position", "integer", derivation="Min", kind="qk"),
    ),
    Sheet(
        name="Artists by days on playlists",
        title="Artists by days on playlists",
        mart="artist_playlist_days",
        mark="Bar",
        rows=(Use("artist_name", "string"),),
        cols=(Use("observed_date", "date", derivation="CountD", kind="qk"),),
        tooltip=(Use("best_position", "integer", derivation="Min", kind="qk"),),
        sort_by=(
            Use("artist_name", "string"),
            Use("observed_date", "date", derivation="CountD", kind="qk"),
        ),
    ),
    Sheet(
        name="Songs on most playlists",
        title="Songs on the most playlists (any snapshot)",
        mart="playlist_entries",
        mark="Bar",
        rows=(Use("item_name", "string"),),
        cols=(Use("playlist_id", "string", derivation="CountD", kind="qk"),),
        color=Use("item_type", "string"),
        tooltip=(Use("is_local", "boolean"),),
        sort_by=(
            Use("item_name", "string"),
            Use("playlist_id", "string", derivation="CountD", kind="qk"),
        ),
    ),
)


def workbook_fields(sheets: Iterable[Sheet] = SHEETS) -> dict[str, dict[str, str]]:
    """{mart: {column: Tableau datatype}} of every field the workbook uses."""
    fields: dict[str, dict[str, str]] = {}
    for sheet in sheets:
        for use in sheet.uses():
            fields.setdefault(sheet.mart, {})[use.column] = use.datatype
    return fields


def datasource_name(mart: str) -> str:
    return f"federated.{mart}"


def _caption(column: str) -> str:
    return column.replace("_", " ").capitalize()


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {key.replace("_", "-"): v for key, v in attributes.items()}
    )
    if text is not None:
        element.text = text
    return element


def _user(name: str) -> str:
    return f"{{{USER_NS}}}{name}"


def _simple_id(parent: ET.Element, *names: str) -> None:
    stable = uuid.uuid5(uuid.NAMESPACE_URL, "spotify-elt/" + "/".join(names))
    _sub(parent, "simple-id", uuid="{" + str(stable).upper() + "}")


# ---------------------------------------------------------------- data sources


def hyper_connection(parent: ET.Element, dbname: str) -> None:
    named = _sub(_sub(parent, "named-connections"), "named-connection")
    named.set("caption", "spotify_marts")
    named.set("name", CONNECTION_NAME)
    _sub(
        named,
        "connection",
        authentication="auth-none",
        author_locale="en_US",
        **{"class": "hyper"},
        dbname=dbname,
        default_settings="yes",
        schema=EXTRACT_SCHEMA,
        sslmode="",
        username="tableau_internal_user",
    )


def metadata_records(parent: ET.Element, table: Table, relation: str) -> None:
    records = _sub(parent, "metadata-records")
    for ordinal, column in enumerate(table.columns, start=1):
        record = _sub(records, "metadata-record", **{"class": "column"})
        _sub(record, "remote-name", column.name)
        _sub(record, "remote-type", str(column.type.remote_type))
        _sub(record, "local-name", f"[{column.name}]")
        _sub(record, "parent-name", f"[{relation}]")
        _sub(record, "remote-alias", column.name)
        _sub(record, "ordinal", str(ordinal))
        _sub(record, "local-type", column.type.datatype)
        _sub(record, "aggregation", column.type.aggregation)
        _sub(record, "contains-null", "true")


def field_columns(parent: ET.Element, table: Table, used: Iterable[str]) -> None:
    """`<column>` of each used field: caption, datatype, role and type."""
    types = {column.name: column.type for column in table.columns}
    for name in sorted(set(used)):
        column_type = types[name]
        _sub(
            parent,
            "column",
            caption=_caption(name),
            datatype=column_type.datatype,
            name=f"[{name}]",
            role=column_type.role,
            type=column_type.type,
        )


def datasource_element(
    parent: ET.Element,
    table: Table,
    used: Iterable[str],
    caption: str,
    connection: Callable[[ET.Element], str],
) -> ET.Element:
    """One data source over one table, as Tableau writes it in a .twb or a .tds."""
    source = _sub(parent, "datasource", caption=caption, inline="true")
    source.set("name", datasource_name(table.name))
    source.set("version", DOCUMENT_VERSION)
    federated = _sub(source, "connection", **{"class": "federated"})
    relation_table = connection(federated)
    relation = _sub(federated, "relation", connection=federated[0][0].get("name"))
    relation.set("name", table.name)
    relation.set("table", relation_table)
    relation.set("type", "table")
    metadata_records(federated, table, table.name)
    _sub(source, "aliases", enabled="yes")
    field_columns(source, table, used)
    _sub(
        source,
        "layout",
        dim_ordering="alphabetic",
        measure_ordering="alphabetic",
        show_structure="true",
    )
    values = _sub(source, "semantic-values")
    _sub(values, "semantic-value", key="[Country].[Name]", value='"United States"')
    return source


# ---------------------------------------------------------------- worksheets


def _qualified(sheet: Sheet, use: Use) -> str:
    return f"[{datasource_name(sheet.mart)}].{use.instance}"


def _shelf(sheet: Sheet, uses: tuple[Use, ...]) -> str | None:
    if not uses:
        return None
    text = " / ".join(_qualified(sheet, use) for use in uses)
    return f"({text})" if len(uses) > 1 else text


def worksheet_element(parent: ET.Element, sheet: Sheet, table: Table, filter_value: str) -> None:
    ds = datasource_name(sheet.mart)
    worksheet = _sub(parent, "worksheet", name=sheet.name)
    title = _sub(_sub(_sub(worksheet, "layout-options"), "title"), "formatted-text")
    _sub(title, "run", sheet.title)

    table_element = _sub(worksheet, "table")
    view = _sub(table_element, "view")
    _sub(_sub(view, "datasources"), "datasource", caption=_caption(sheet.mart), name=ds)
    dependencies = _sub(view, "datasource-dependencies", datasource=ds)
    uses = sheet.uses()
    field_columns(dependencies, table, (use.column for use in uses))
    instances = {use.instance: use for use in uses}
    for instance, use in sorted(instances.items()):
        _sub(
            dependencies,
            "column-instance",
            column=f"[{use.column}]",
            derivation=use.derivation,
            name=instance,
            pivot="key",
            type=_KIND[use.kind],
        )
    if sheet.filter is not None:
        qualified = _qualified(sheet, sheet.filter)
        condition = _sub(view, "filter", column=qualified, **{"class": "categorical"})
        _sub(
            condition,
            "groupfilter",
            function="member",
            level=sheet.filter.instance,
            member='"' + filter_value.replace('"', '""') + '"',
            **{
                _user("ui-domain"): "database",
                _user("ui-enumeration"): "inclusive",
                _user("ui-marker"): "enumerate",
            },
        )
    if sheet.sort_by is not None:
        dimension, measure = sheet.sort_by
        _sub(
            view,
            "computed-sort",
            column=_qualified(sheet, dimension),
            direction="DESC",
            using=_qualified(sheet, measure),
        )
    if sheet.filter is not None:
        _sub(_sub(view, "slices"), "column", _qualified(sheet, sheet.filter))
    _sub(view, "aggregation", value="true")

    style = _sub(table_element, "style")
    if sheet.reversed_axis is not None:
        rule = _sub(style, "style-rule", element="axis")
        _sub(
            rule,
            "encoding",
            attr="space",
            **{"class": "0"},
            field=_qualified(sheet, sheet.reversed_axis),
            field_type="quantitative",
            reverse="true",
            scope="rows",
            type="space",
        )
    panes = _sub(table_element, "panes")
    pane = _sub(panes, "pane", selection_relaxation_option="selection-relaxation-allow")
    _sub(_sub(pane, "view"), "breakdown", value="auto")
    _sub(pane, "mark", **{"class": sheet.mark})
    encodings = [
        ("color", sheet.color),
        *(("lod", use) for use in sheet.detail),
        *(("tooltip", use) for use in sheet.tooltip),
        ("text", sheet.text),
    ]
    encodings = [(tag, use) for tag, use in encodings if use is not None]
    if encodings:
        encoding_element = _sub(pane, "encodings")
        for tag, use in encodings:
            _sub(encoding_element, tag, column=_qualified(sheet, use))
    rows = _shelf(sheet, sheet.rows)
    cols = _shelf(sheet, sheet.cols)
    _sub(table_element, "rows", rows)
    _sub(table_element, "cols", cols)
    _simple_id(worksheet, "worksheet", sheet.name)


def window_element(parent: ET.Element, sheet: Sheet, active: bool) -> None:
    window = _sub(parent, "window", **{"class": "worksheet"}, name=sheet.name)
    if active:
        window.set("maximized", "true")
    cards = _sub(window, "cards")
    left = _sub(_sub(cards, "edge", name="left"), "strip", size="160")
    for kind in ("pages", "filters", "marks"):
        _sub(left, "card", type=kind)
    top = _sub(cards, "edge", name="top")
    for kind in ("columns", "rows", "title"):
        _sub(_sub(top, "strip", size="2147483647" if kind != "title" else "31"), "card", type=kind)
    right_cards = []
    if sheet.filter is not None:
        right_cards.append(
            {"mode": "dropdown", "param": _qualified(sheet, sheet.filter), "type": "filter"}
        )
    if sheet.color is not None:
        right_cards.append(
            {"pane-specification-id": "0", "param": _qualified(sheet, sheet.color), "type": "color"}
        )
    if right_cards:
        strip = _sub(_sub(cards, "edge", name="right"), "strip", size="160")
        for attributes in right_cards:
            ET.SubElement(strip, "card", attributes)
    _simple_id(window, "window", sheet.name)


# ---------------------------------------------------------------- the workbook


@dataclass
class WorkbookInputs:
    """What the workbook needs from the extract: its tables, and a value per sheet filter."""

    tables: dict[str, Table]
    filter_values: dict[str, str] = field(default_factory=dict)


def build_twb(inputs: WorkbookInputs, sheets: tuple[Sheet, ...] = SHEETS) -> bytes:
    workbook = ET.Element(
        "workbook",
        {
            "original-version": DOCUMENT_VERSION,
            "source-build": SOURCE_BUILD,
            "source-platform": "linux",
            "version": DOCUMENT_VERSION,
        },
    )
    preferences = _sub(workbook, "preferences")
    _sub(preferences, "preference", name="ui.encoding.shelf.height", value="24")
    _sub(preferences, "preference", name="ui.shelf.height", value="26")
    sources = _sub(workbook, "datasources")
    by_mart: dict[str, list[str]] = {}
    for sheet in sheets:
        by_mart.setdefault(sheet.mart, []).extend(use.column for use in sheet.uses())
    for mart, used in by_mart.items():
        datasource_element(
            sources,
            inputs.tables[mart],
            used,
            caption=_caption(mart),
            connection=lambda federated, mart=mart: _extract_connection(federated, mart),
        )
    worksheets = _sub(workbook, "worksheets")
    for sheet in sheets:
        worksheet_element(
            worksheets, sheet, inputs.tables[sheet.mart], inputs.filter_values.get(sheet.name, "")
        )
    windows = _sub(workbook, "windows", source_height="30")
    for index, sheet in enumerate(sheets):
        window_element(windows, sheet, active=index == 0)
    ET.indent(workbook, space="  ")
    return b"<?xml version='1.0' encoding='utf-8' ?>\n\n" + ET.tostring(workbook, "utf-8")


def _extract_connection(federated: ET.Element, mart: str) -> str:
    hyper_connection(federated, EXTRACT_IN_PACKAGE)
    return f"[{EXTRACT_SCHEMA}].[{mart}]"


def write_twbx(target: Path, twb: bytes, extract: Path) -> None:
    """The packaged workbook: the .twb at the top, the extract under Data/Extracts/."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr(target.with_suffix(".twb").name, twb)
        package.write(extract, EXTRACT_IN_PACKAGE)
    temp.replace(target)
