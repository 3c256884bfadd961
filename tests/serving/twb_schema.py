"""Tableau's published workbook schema (XSD), for checking the .twb this project writes.

The schema itself is not in the repository; get twb_<version>.xsd from Tableau's
tableau-document-schemas repository and run:

    python -m tests.serving.twb_schema validate twb_2026.1.0.xsd data/tableau/spotify_marts.twbx
    python -m tests.serving.twb_schema vocabulary twb_2026.1.0.xsd data/tableau/spotify_marts.twbx \
        data/tableau/live/*/*.tds > tests/fixtures/tableau/twb_2026.1_vocabulary.json

`validate` is a full XSD validation (libxml2 through lxml). As Tableau's own validator
does, it stubs the `user` and `xml` namespaces the schema imports without a location
and treats `explain-data`, which the schema requires but real workbooks omit, as
optional. `vocabulary` writes, for the elements the given files use, the children and
attributes the schema allows; tests/serving/test_tableau_workbook.py checks every
workbook against it without needing the schema.
"""

import json
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

XS = "{http://www.w3.org/2001/XMLSchema}"
USER_NS = "http://www.tableausoftware.com/xml/user"
_USER_STUB = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
  targetNamespace="{USER_NS}" elementFormDefault="qualified">
  <xs:element name="localizable"><xs:complexType><xs:anyAttribute processContents="skip"/>
  </xs:complexType></xs:element>
  <xs:attributeGroup name="UserAttributes-AG">
    <xs:anyAttribute namespace="##targetNamespace" processContents="skip"/></xs:attributeGroup>
</xs:schema>"""
_XML_STUB = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
  targetNamespace="http://www.w3.org/XML/1998/namespace">
  <xs:attribute name="base" type="xs:anyURI"/><xs:attribute name="lang" type="xs:language"/>
  <xs:attribute name="space"/></xs:schema>"""


def read_document(path: Path) -> bytes:
    """A .twb/.tds as is; from a .twbx/.tdsx, the document at the top of the package."""
    if path.suffix in (".twbx", ".tdsx"):
        with zipfile.ZipFile(path) as package:
            name = next(n for n in package.namelist() if n.endswith((".twb", ".tds")))
            return package.read(name)
    return path.read_bytes()


def validate(xsd: Path, document: Path) -> list[str]:
    """Errors of a full validation against the XSD ([] when valid)."""
    from lxml import etree

    text = xsd.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as stubs:
        (Path(stubs) / "user.xsd").write_text(_USER_STUB)
        (Path(stubs) / "xml.xsd").write_text(_XML_STUB)
        for namespace, stub in (
            (USER_NS, "user.xsd"),
            ("http://www.w3.org/XML/1998/namespace", "xml.xsd"),
        ):
            text = text.replace(
                f'<xs:import namespace="{namespace}"/>',
                f'<xs:import namespace="{namespace}" schemaLocation="{Path(stubs) / stub}"/>',
            )
        text = text.replace(
            '<xs:group ref="Workbook-ExplainData-G"/>',
            '<xs:group minOccurs="0" ref="Workbook-ExplainData-G"/>',
        )
        schema = etree.XMLSchema(etree.fromstring(text.encode("utf-8")))
    schema.validate(etree.fromstring(read_document(document)))
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def vocabulary(xsd: Path, documents: list[Path]) -> dict:
    """{element: {children, attributes}} the XSD allows, for the elements the documents use."""
    root = ET.parse(xsd).getroot()
    groups = {g.get("name"): g for g in root.findall(f"{XS}group")}
    attribute_groups = {g.get("name"): g for g in root.findall(f"{XS}attributeGroup")}
    types = {t.get("name"): t for t in root.findall(f"{XS}complexType")}

    def local(name: str) -> str:
        return name.split(":")[-1]

    def walk(node, children: set, attributes: set, seen: set) -> None:
        for child in node:
            if child.tag == f"{XS}element":
                children.add(child.get("name") or local(child.get("ref")))
            elif child.tag == f"{XS}group" and child.get("ref"):
                ref = local(child.get("ref"))
                if ("group", ref) not in seen and ref in groups:
                    seen.add(("group", ref))
                    walk(groups[ref], children, attributes, seen)
            elif child.tag == f"{XS}attributeGroup" and child.get("ref"):
                if child.get("ref").startswith("user:"):
                    attributes.add("user:*")
                elif ("attributes", local(child.get("ref"))) not in seen:
                    seen.add(("attributes", local(child.get("ref"))))
                    walk(attribute_groups[local(child.get("ref"))], children, attributes, seen)
            elif child.tag == f"{XS}attribute":
                attributes.add(child.get("name") or child.get("ref"))
            elif child.tag == f"{XS}anyAttribute":
                attributes.add("*")
            elif child.tag == f"{XS}any":
                children.add("*")
            else:
                base = child.get("base")
                if base and local(base) in types and ("type", local(base)) not in seen:
                    seen.add(("type", local(base)))
                    walk(types[local(base)], children, attributes, seen)
                walk(child, children, attributes, seen)

    used = {
        element.tag
        for document in documents
        for element in ET.fromstring(read_document(document)).iter()
    }
    found: dict[str, dict[str, set]] = {}
    for element in root.iter(f"{XS}element"):
        name = element.get("name")
        if name not in used:
            continue
        children: set = set()
        attributes: set = set()
        if element.get("type") and local(element.get("type")) in types:
            walk(types[local(element.get("type"))], children, attributes, set())
        walk(element, children, attributes, set())
        entry = found.setdefault(name, {"children": set(), "attributes": set()})
        entry["children"] |= children
        entry["attributes"] |= attributes
    return {
        name: {key: sorted(values) for key, values in entry.items()}
        for name, entry in sorted(found.items())
    }


if __name__ == "__main__":
    command, xsd, *paths = sys.argv[1:]
    if command == "validate":
        failed = False
        for path in paths:
            errors = validate(Path(xsd), Path(path))
            print(f"{path}: {'VALID' if not errors else 'INVALID'}")
            print("\n".join(f"  {error}" for error in errors))
            failed = failed or bool(errors)
        sys.exit(1 if failed else 0)
    elements = vocabulary(Path(xsd), [Path(path) for path in paths])
    print(json.dumps({"source": f"{Path(xsd).name}, reduced", "elements": elements}, indent=1))
