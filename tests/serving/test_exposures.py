"""The dbt docs lineage ends in Tableau: an exposure of the workbook on exactly the marts
its sheets read (of those the dbt project has)."""

import re

import yaml

from serving.tableau.workbook import SHEETS
from tests.cli import REPO

MARTS_DIR = REPO / "dbt_project" / "models" / "marts"
REF = re.compile(r"ref\('(\w+)'\)")


def test_workbook_exposure_depends_on_the_marts_of_its_sheets() -> None:
    exposures = yaml.safe_load((MARTS_DIR / "_marts__exposures.yml").read_text())["exposures"]
    (workbook,) = [e for e in exposures if e["name"] == "spotify_marts_workbook"]
    assert workbook["type"] == "dashboard"
    assert workbook["owner"]["name"] and "@" in workbook["owner"]["email"]
    refs = {REF.fullmatch(ref).group(1) for ref in workbook["depends_on"]}
    models = {path.stem for path in MARTS_DIR.glob("*.sql")}
    read = {sheet.mart for sheet in SHEETS}
    missing = sorted((read & models) - refs)
    assert not missing, f"add to depends_on: {', '.join(f'ref({m!r})' for m in missing)}"
    assert refs <= models and refs <= read
