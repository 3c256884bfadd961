"""Static checks of the dbt project's conventions (no warehouse needed).

The house style (STYLE.md) asks for: adapter differences behind adapter.dispatch,
never `target.type` in models; documented macros; contracts with data types on
the marts; a committed profiles.yml with env_var() only.
"""

import re

import pytest
import yaml
from dbt_harness import DBT_PROJECT_DIR

MODELS = DBT_PROJECT_DIR / "models"
MACROS = DBT_PROJECT_DIR / "macros"
MACRO_DEFINITION = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(")
DISPATCH = re.compile(r"adapter\.dispatch\(\s*'(\w+)'\s*,\s*'spotify_elt'\s*\)")
ADAPTER_PREFIXES = ("default__", "duckdb__", "snowflake__")
UPPERCASE_KEYWORD = re.compile(r"\b(SELECT|FROM|WHERE|JOIN|WITH|GROUP BY|ORDER BY|CASE|WHEN)\b")


def _macro_definitions() -> set[str]:
    return {
        name for path in MACROS.glob("*.sql") for name in MACRO_DEFINITION.findall(path.read_text())
    }


def _models_yaml(path: str) -> dict:
    return yaml.safe_load((MODELS / path).read_text(encoding="utf-8"))


def test_no_target_type_branches_in_models() -> None:
    offenders = [str(path) for path in MODELS.rglob("*.sql") if "target.type" in path.read_text()]
    assert offenders == []


def test_every_dispatched_macro_has_duckdb_and_snowflake_implementations() -> None:
    definitions = _macro_definitions()
    dispatched = {
        name for path in MACROS.glob("*.sql") for name in DISPATCH.findall(path.read_text())
    }
    assert {"json_text", "json_array_elements", "load_id_to_timestamp", "release_date"} <= (
        dispatched
    )
    missing = [
        f"{prefix}{name}"
        for name in sorted(dispatched)
        for prefix in ADAPTER_PREFIXES
        if f"{prefix}{name}" not in definitions
    ]
    assert missing == []


def test_every_macro_is_documented() -> None:
    documented = {
        macro["name"] for macro in yaml.safe_load((MACROS / "_macros.yml").read_text())["macros"]
    }
    public = {name for name in _macro_definitions() if not name.startswith(ADAPTER_PREFIXES)}
    assert public - documented == set()


def test_marts_declare_every_column_with_a_data_type() -> None:
    marts = _models_yaml("marts/_marts__models.yml")["models"]
    assert {model["name"] for model in marts} == {
        path.stem for path in (MODELS / "marts").glob("*.sql")
    }
    for model in marts:
        assert model["columns"], model["name"]
        for column in model["columns"]:
            assert column.get("data_type"), f"{model['name']}.{column['name']}"
            assert column.get("description"), f"{model['name']}.{column['name']}"
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["models"]["spotify_elt"]["marts"]["+contract"] == {"enforced": True}
    assert project["models"]["spotify_elt"]["marts"]["+schema"] == "marts"


@pytest.mark.parametrize("path", sorted(MODELS.rglob("*.sql")), ids=lambda path: path.stem)
def test_models_end_with_select_from_final(path) -> None:
    sql = path.read_text(encoding="utf-8")
    assert sql.rstrip().endswith("select * from final"), path.name
    assert not UPPERCASE_KEYWORD.search(sql), f"{path.name}: SQL is lowercase"


def test_profiles_use_env_var_only() -> None:
    """DuckDB for dev and ci; Snowflake for prod with key-pair or password auth, all of its
    connection from the environment and every secret in a DBT_ENV_SECRET_ variable."""
    text = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    outputs = yaml.safe_load(text)["spotify_elt"]["outputs"]
    assert set(outputs) == {"dev", "ci", "prod"}  # the tests' fakesnow target lives in tests/
    for name in ("dev", "ci"):
        assert outputs[name]["type"] == "duckdb"
        assert "env_var('SPOTIFY_ELT_DUCKDB_PATH'" in outputs[name]["path"]
    prod = outputs["prod"]
    assert prod["type"] == "snowflake"
    for key in ("account", "user", "role", "warehouse", "database", "private_key_path"):
        assert prod[key].startswith("{{ env_var('SNOWFLAKE_"), key
    for key in ("private_key", "private_key_passphrase", "password"):
        assert prod[key].startswith("{{ env_var('DBT_ENV_SECRET_SNOWFLAKE_"), key
        assert prod[key].endswith(", '') }}"), f"{key} must default to unset"
