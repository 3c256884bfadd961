"""Fixtures of the serving tests: a serving file in the contract's shapes, and its export."""

from pathlib import Path

import pytest

from orchestration.config import Settings
from tests.serving.history_marts import write_history_marts


@pytest.fixture(scope="package")
def history_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A data dir whose serving.duckdb holds the six history marts of the shared contract."""
    data_dir = tmp_path_factory.mktemp("history") / "data"
    data_dir.mkdir()
    write_history_marts(data_dir / "serving.duckdb")
    return Settings.resolve(data_dir)


@pytest.fixture(scope="package")
def history_export(history_settings: Settings):
    from serving.tableau.export import export_tableau

    return export_tableau(history_settings)


def serving_file(settings: Settings) -> Path:
    return settings.data_dir / "serving.duckdb"
