"""The dbt SQL follows the house style: sqlfluff with dbt_project/.sqlfluff, no violations.

The same check as `make lint`, through sqlfluff's Python API: the jinja templater with
dbt's builtins and the project's macros, no dbt parse and no database (a few seconds).
Fix with `.tools/bin/uv run --frozen sqlfluff fix <file>`, then read the diff.
"""

import pytest
from dbt_harness import DBT_PROJECT_DIR, REPO_ROOT
from sqlfluff.core import FluffConfig, Linter

LINTED_FOLDERS = ("models", "tests", "analyses")

# sqlfluff still reads its ignore files with pathspec's deprecated "gitignore" patterns.
pytestmark = pytest.mark.filterwarnings("ignore:GitIgnorePattern:DeprecationWarning")


def test_dbt_sql_has_no_sqlfluff_violations(monkeypatch: pytest.MonkeyPatch) -> None:
    # sqlfluff looks for its config and ignore files from the working directory down.
    monkeypatch.chdir(REPO_ROOT)
    paths = tuple(
        str((DBT_PROJECT_DIR / folder).relative_to(REPO_ROOT)) for folder in LINTED_FOLDERS
    )
    linter = Linter(config=FluffConfig.from_path(str(DBT_PROJECT_DIR.relative_to(REPO_ROOT))))

    result = linter.lint_paths(paths)

    linted_files = [file for path in result.paths for file in path.files]
    assert len(linted_files) >= 20, [file.path for file in linted_files]
    violations = [
        f"{file.path}:{violation.line_no}:{violation.line_pos}: "
        f"{violation.rule_code()} {violation.desc()}"
        for file in linted_files
        for violation in file.get_violations()
    ]
    if violations:
        pytest.fail("sqlfluff violations:\n" + "\n".join(violations), pytrace=False)
