"""Fixtures of the dbt tests (the harness itself is in dbt_harness.py)."""

import pytest
from dbt_harness import DbtProject


@pytest.fixture(scope="module")
def dbt_project(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """An empty warehouse file and a dbt output folder for one test module."""
    work_dir = tmp_path_factory.mktemp("dbt")
    return DbtProject(warehouse=work_dir / "warehouse.duckdb", work_dir=work_dir)
