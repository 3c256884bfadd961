"""The snowflake__ macros render and the compiled models parse as Snowflake SQL.

There is no Snowflake here, so this is the most that can be checked offline:
`dbt compile` against a Snowflake target (no connection is made with
--no-populate-cache --no-introspect), then every compiled model is parsed with
sqlglot's Snowflake dialect and checked for DuckDB-only syntax.
"""

import re

import pytest
import sqlglot
from dbt_harness import DBT_PROJECT_DIR, DbtProject, failures

SNOWFLAKE_PROFILE = """\
spotify_elt:
  target: prod
  outputs:
    prod:
      type: snowflake
      account: offline-compile-only
      user: nobody
      password: not-a-secret
      role: transformer
      warehouse: transforming
      database: SPOTIFY
      schema: main
      threads: 4
"""
DUCKDB_ONLY = re.compile(r"json_extract|json_each|json_type|::json\b|to_timestamp\(", re.IGNORECASE)


@pytest.fixture(scope="module")
def compiled_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    work_dir = tmp_path_factory.mktemp("dbt_snowflake")
    profiles_dir = work_dir / "profiles"
    profiles_dir.mkdir()
    (profiles_dir / "profiles.yml").write_text(SNOWFLAKE_PROFILE, encoding="utf-8")
    result = DbtProject(warehouse=work_dir / "unused.duckdb", work_dir=work_dir).run_with(
        ["compile", "--no-populate-cache", "--no-introspect", "--select", "resource_type:model"],
        profiles_dir=profiles_dir,
        target="prod",
    )
    assert not failures(result), "\n".join(failures(result))
    compiled_root = work_dir / "target" / "compiled" / "spotify_elt" / "models"
    return {
        path.stem: path.read_text(encoding="utf-8")
        for path in compiled_root.rglob("*.sql")
        if not path.parent.name.endswith(".yml")
    }


def test_every_model_compiles_for_snowflake(compiled_models: dict[str, str]) -> None:
    models = {path.stem for path in (DBT_PROJECT_DIR / "models").rglob("*.sql")}
    assert set(compiled_models) == models


@pytest.mark.parametrize(
    "model",
    sorted(path.stem for path in (DBT_PROJECT_DIR / "models").rglob("*.sql")),
)
def test_compiled_model_is_snowflake_sql(compiled_models: dict[str, str], model: str) -> None:
    sql = compiled_models[model]
    assert not DUCKDB_ONLY.search(sql), f"DuckDB-only syntax in {model}"
    sqlglot.parse_one(sql, read="snowflake")


def test_snowflake_json_access_uses_variant_paths(compiled_models: dict[str, str]) -> None:
    entries = compiled_models["stg_spotify__playlist_entries"]
    assert 'strip_null_value(entry:"item")' in entries
    assert 'item_payload:"name"::varchar as item_name' in entries
    assert (
        "lateral flatten(input => tracks.artists_payload) as track_artist"
        in (compiled_models["int_track_artists_unnested"])
    )
    assert "to_timestamp_tz(" in entries
