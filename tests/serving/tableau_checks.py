"""Checks shared by the Tableau tests: read an extract back through Hyper, and compare a
packaged workbook with its extract and with Tableau's schema."""

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import duckdb

from serving.tableau.column_types import from_hyper
from serving.tableau.hyper import EXTRACT_SCHEMA, hyper_process
from serving.tableau.workbook import EXTRACT_IN_PACKAGE

VOCABULARY = Path(__file__).parents[1] / "fixtures" / "tableau" / "twb_2026.1_vocabulary.json"
USER_NS = "{http://www.tableausoftware.com/xml/user}"


def _plain(value: object) -> object:
    """Hyper's Date/Timestamp as Python's, to compare with what DuckDB returns."""
    if hasattr(value, "to_datetime"):
        return _utc(value.to_datetime())
    if hasattr(value, "to_date"):
        return value.to_date()
    return value


def read_extract(path: Path) -> dict[str, tuple[dict[str, str], list[tuple]]]:
    """{table: ({column: Hyper type}, sorted rows)}, read through Hyper's own engine."""
    import tableauhyperapi as api

    tables = {}
    with hyper_process() as process, api.Connection(process.endpoint, str(path)) as hyper:
        for name in hyper.catalog.get_table_names(api.SchemaName(EXTRACT_SCHEMA)):
            definition = hyper.catalog.get_table_definition(name)
            types = {column.name.unescaped: str(column.type) for column in definition.columns}
            rows = [
                tuple(_plain(value) for value in row)
                for row in hyper.execute_list_query(f"select * from {name}")
            ]
            tables[name.name.unescaped] = (types, sorted(rows, key=repr))
    return tables


def read_marts(serving: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(serving), read_only=True) as db:
        names = [
            row[0]
            for row in db.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {
            name: sorted(
                (
                    tuple(_utc(value) for value in row)
                    for row in db.sql(f"from marts.{name}").fetchall()
                ),
                key=repr,
            )
            for name in names
        }


def _utc(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


def twb_of(twbx: Path) -> ET.Element:
    with zipfile.ZipFile(twbx) as package:
        names = package.namelist()
        assert EXTRACT_IN_PACKAGE in names, names
        (twb,) = [name for name in names if name.endswith(".twb") and "/" not in name]
        return ET.fromstring(package.read(twb))


def workbook_field_types(root: ET.Element) -> dict[str, dict[str, tuple[str, str]]]:
    """{worksheet: {'[datasource].[field]': (mart, datatype the workbook declares)}}."""
    relations = {
        source.get("name"): source.find("connection/relation").get("table")
        for source in root.iterfind("datasources/datasource")
    }
    used: dict[str, dict[str, tuple[str, str]]] = {}
    for sheet in root.iterfind("worksheets/worksheet"):
        fields = used.setdefault(sheet.get("name"), {})
        for dependencies in sheet.iterfind("table/view/datasource-dependencies"):
            source = dependencies.get("datasource")
            mart = relations[source].split("].[")[-1].rstrip("]")
            for column in dependencies.iterfind("column"):
                fields[f"[{source}].{column.get('name')}"] = (mart, column.get("datatype"))
    return used


def shelf_references(root: ET.Element) -> dict[str, set[str]]:
    """{worksheet: {'[datasource].[derivation:field:kind]', …}} from shelves, marks, filters."""
    found: dict[str, set[str]] = {}
    for sheet in root.iterfind("worksheets/worksheet"):
        references = found.setdefault(sheet.get("name"), set())
        table = sheet.find("table")
        for shelf in ("rows", "cols"):
            text = table.findtext(shelf) or ""
            references |= {part.strip("() ") for part in text.split(" / ") if part.strip("() ")}
        for element in table.iter():
            for attribute in ("column", "field"):
                value = element.get(attribute)
                if value and value.startswith("[federated."):
                    references.add(value)
    return found


def vocabulary_errors(document: ET.Element) -> list[str]:
    """Elements and attributes that Tableau's workbook schema does not allow where they are."""
    allowed = json.loads(VOCABULARY.read_text(encoding="utf-8"))["elements"]
    errors: list[str] = []

    def check(element: ET.Element, path: str) -> None:
        rules = allowed.get(element.tag)
        if rules is None:
            errors.append(f"{path}: <{element.tag}> is not an element of the schema")
            return
        for attribute in element.attrib:
            if attribute.startswith(USER_NS):
                ok = "user:*" in rules["attributes"] or "*" in rules["attributes"]
            else:
                ok = attribute in rules["attributes"] or "*" in rules["attributes"]
            if not ok:
                errors.append(f"{path}: <{element.tag}> has no attribute {attribute!r}")
        if "*" in rules["children"]:
            return  # the schema does not check what is inside (connections, manifests)
        for child in element:
            if child.tag not in rules["children"]:
                errors.append(f"{path}: <{child.tag}> is not allowed in <{element.tag}>")
            else:
                check(child, f"{path}/{child.tag}")

    check(document, document.tag)
    return errors


def datatype_of(hyper_type: str) -> str:
    return from_hyper(hyper_type)
