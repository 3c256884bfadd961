"""One home per fact, and stages that only import downstream of themselves.

The raw tables, the raw schema and the marts are declared once; everything else
(the loader, the lake reader, Dagster, dbt's sources) follows the declaration.
"""

import ast
from pathlib import Path

import yaml

from ingestion.raw_tables import RAW_DATASET, RAW_TABLES
from orchestration.config import CHECKOUT_ROOT
from orchestration.steps import dbt_vars

DBT_PROJECT = CHECKOUT_ROOT / "dbt_project"
PACKAGES = ("ingestion", "orchestration", "serving")
# Each stage may import only from the stages listed for it (and from itself).
ALLOWED_IMPORTS = {
    "ingestion.errors": set(),
    "ingestion.raw_tables": set(),
    "ingestion.spotify_replica": set(),
    "ingestion.spotify": {"ingestion.errors", "ingestion.raw_tables"},
    "ingestion.lake": {"ingestion.errors", "ingestion.raw_tables"},
    "ingestion.warehouse": {"ingestion.errors", "ingestion.raw_tables", "ingestion.lake"},
}


def _sources() -> dict:
    path = DBT_PROJECT / "models" / "staging" / "spotify" / "_spotify__sources.yml"
    [source] = yaml.safe_load(path.read_text())["sources"]
    return source


def test_dbt_sources_are_the_raw_tables() -> None:
    tables = [table["name"] for table in _sources()["tables"]]
    # _dlt_loads: dlt's own ledger of loads, declared for the completed-loads test.
    assert [table for table in tables if not table.startswith("_dlt")] == list(RAW_TABLES)


def test_raw_schema_is_declared_once() -> None:
    """dbt gets it from Python on every run; the default in dbt_project.yml is for hand runs."""
    project = yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text())
    assert dbt_vars()["spotify_raw_schema"] == RAW_DATASET
    assert project["vars"]["spotify_raw_schema"] == RAW_DATASET
    assert "var('spotify_raw_schema'" in _sources()["schema"]


def _imports(module_file: Path) -> set[str]:
    tree = ast.parse(module_file.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _stage(module: str) -> str | None:
    matches = [
        stage for stage in ALLOWED_IMPORTS if module == stage or module.startswith(stage + ".")
    ]
    return max(matches, key=len) if matches else None


def test_stages_import_only_upstream() -> None:
    """The API source, the lake and the warehouse never import orchestration or each other
    backwards, so there is no import cycle between stages."""
    problems = []
    for path in (CHECKOUT_ROOT / "ingestion").rglob("*.py"):
        module = ".".join(path.relative_to(CHECKOUT_ROOT).with_suffix("").parts)
        stage = _stage(module)
        for imported in _imports(path):
            target = _stage(imported) or imported
            if target != stage and target not in ALLOWED_IMPORTS.get(stage, set()):
                problems.append(f"{module} imports {imported}")
    assert not problems, problems


def test_no_code_matches_error_messages() -> None:
    """Errors carry their kind as a type or a field: no `"…" in str(error)` on our own
    errors. A third-party error with nothing but its text is marked `# third-party`."""
    offenders = [
        f"{path.relative_to(CHECKOUT_ROOT)}: {line.strip()}"
        for package in PACKAGES
        for path in (CHECKOUT_ROOT / package).rglob("*.py")
        for line in path.read_text().splitlines()
        if ("in str(error)" in line or "in str(exc)" in line) and "# third-party" not in line
    ]
    assert not offenders


def test_no_test_stand_in_in_the_product() -> None:
    """fakesnow exists only under tests/: no target, macro or capability for it elsewhere."""
    offenders = [
        str(path.relative_to(CHECKOUT_ROOT))
        for folder in ("ingestion", "orchestration", "dbt_project")
        for path in (CHECKOUT_ROOT / folder).rglob("*")
        if path.is_file()
        and path.suffix in (".py", ".sql", ".yml", ".yaml")
        and "target" not in path.parts
        and "fakesnow" in path.read_text(errors="ignore").lower()
    ]
    assert not offenders
