"""`--target prod` without Snowflake configured: one sentence that says what to set."""

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from orchestration.cli import main


@pytest.fixture(autouse=True)
def no_snowflake_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if "SNOWFLAKE" in name:
            monkeypatch.delenv(name)


def test_load_names_the_missing_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__SNOWFLAKE__CREDENTIALS__HOST", "myorg-myaccount")
    (tmp_path / "lake").mkdir()
    result = CliRunner().invoke(main, ["load", "--target", "prod", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "Snowflake is not configured for the loader: database missing" in result.output
    assert "DESTINATION__SNOWFLAKE__CREDENTIALS__DATABASE" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_run_fails_before_calling_the_api(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "--target", "prod", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "DESTINATION__SNOWFLAKE__CREDENTIALS__HOST" in result.output
    assert not (tmp_path / "lake").exists()  # nothing extracted for a load that cannot happen


def test_a_user_without_key_or_password_is_told_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {"HOST": "myorg-myaccount", "DATABASE": "SPOTIFY"}.items():
        monkeypatch.setenv(f"DESTINATION__SNOWFLAKE__CREDENTIALS__{key}", value)
    (tmp_path / "lake").mkdir()
    result = CliRunner().invoke(main, ["load", "--target", "prod", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "DESTINATION__SNOWFLAKE__CREDENTIALS__PRIVATE_KEY" in result.output
    assert "Traceback" not in result.output
