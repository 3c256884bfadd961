"""`spotify-elt dbt …`: any dbt command with this data dir's settings, and dbt's own
errors shown instead of swallowed."""

from pathlib import Path

from tests.cli import run_cli


def test_dbt_debug_checks_the_connection(tmp_path: Path) -> None:
    # The smoke test docs/snowflake.md gives for a new account (here on DuckDB).
    result = run_cli("dbt", "debug", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed!" in result.stdout


def test_an_unknown_dbt_command_says_so(tmp_path: Path) -> None:
    result = run_cli("dbt", "nonsense", "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 1
    assert "No such command 'nonsense'" in result.stderr
