"""Which marts there are: dbt's manifest says (models under models/marts), never a list here."""

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.config import Settings

logger = logging.getLogger(__name__)

MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class Mart:
    """One mart table: its name and its documentation from dbt."""

    name: str
    description: str = ""
    column_descriptions: dict[str, str] = field(default_factory=dict)


def marts_from_manifest(manifest_path: Path) -> list[Mart]:
    """The models of the `marts` folder in dbt's manifest.json, sorted by name."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    marts = [
        Mart(
            name=node["alias"] or node["name"],
            description=node.get("description") or "",
            column_descriptions={
                name: column.get("description") or ""
                for name, column in (node.get("columns") or {}).items()
            },
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and MARTS_SCHEMA in node["fqn"][1:-1]
        and node["config"].get("materialized") != "ephemeral"
    ]
    return sorted(marts, key=lambda mart: mart.name)


def marts_in_database(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """Tables of schema `marts` in an attached DuckDB database, sorted by name."""
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = ? and table_schema = ? order by table_name",
        [catalog, MARTS_SCHEMA],
    ).fetchall()
    return [row[0] for row in rows]


def manifest_path(settings: Settings) -> Path:
    return settings.dbt_target_dir / "manifest.json"


def declared_marts(settings: Settings) -> list[Mart] | None:
    """The marts dbt declares for this data dir, or None before the first dbt run."""
    path = manifest_path(settings)
    if not path.exists():
        return None
    return marts_from_manifest(path)
