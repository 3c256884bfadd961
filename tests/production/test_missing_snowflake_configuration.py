"""`--target prod` without Snowflake configured: one sentence that says what to set."""

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from orchestration.cli import main


def test_load_names_the_missing_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if "SNOWFLAKE" in name:
            monkeypatch.delenv(name)
    monkeypatch.setenv("DESTINATION__SNOWFLAKE__CREDENTIALS__HOST", "myorg-myaccount")
    (tmp_path / "lake").mkdir()
    result = CliRunner().invoke(main, ["load", "--target", "prod", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "Snowflake is not configured for the loader: database missing" in result.output
    assert "DESTINATION__SNOWFLAKE__CREDENTIALS__DATABASE" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "warehouse.duckdb").exists()
