"""The warehouse's dlt destination, chosen by the dbt target: DuckDB or Snowflake.

The target name (`spotify-elt run --target prod`, or SPOTIFY_ELT_TARGET) picks both
sides of the warehouse: dbt's output in dbt_project/profiles.yml and, through
`warehouse_destination_for`, dlt's destination. DuckDB for `dev` and `ci`,
Snowflake for every other target. Nothing else changes between them.

dlt reads the connection from its own configuration, the section
`[destination.snowflake.credentials]` of .dlt/secrets.toml or its environment form
(DESTINATION__SNOWFLAKE__CREDENTIALS__DATABASE, __HOST = the account identifier,
__USERNAME, __WAREHOUSE, __ROLE, and either __PRIVATE_KEY (+ __PRIVATE_KEY_PASSPHRASE),
__PRIVATE_KEY_PATH, or __PASSWORD). Key-pair authentication is what Snowflake wants
for service users; docs/snowflake.md has the keys, the setup script and the costs.
"""

from pathlib import Path
from typing import Any

import dlt
from dlt.common.configuration.exceptions import (
    ConfigFieldMissingException,
    ConfigurationValueError,
)
from dlt.common.destination import Destination
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from ingestion.errors import ConfigurationError
from ingestion.warehouse.duckdb_settings import WAREHOUSE_MEMORY_LIMIT, duckdb_config

DUCKDB_TARGETS = ("dev", "ci")
# The section dlt reads: [destination.snowflake…] for every Snowflake target.
DESTINATION_NAME = "snowflake"


def snowflake_destination(target: str = "prod") -> Destination:
    """dlt's Snowflake destination; credentials from `[destination.snowflake.credentials]`."""
    if target in DUCKDB_TARGETS:
        raise ConfigurationError(
            f"The dbt target '{target}' is a DuckDB target; Snowflake targets are all others "
            "(e.g. --target prod)."
        )
    return dlt.destinations.snowflake(destination_name=DESTINATION_NAME)


def warehouse_destination_for(target: str, duckdb_path: Path) -> Destination:
    """The dlt destination of the warehouse for a dbt target: DuckDB or Snowflake."""
    if target in DUCKDB_TARGETS:
        duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        return dlt.destinations.duckdb(
            credentials=DuckDbCredentials(
                str(duckdb_path),
                global_config=duckdb_config(default_memory_limit=WAREHOUSE_MEMORY_LIMIT),
            )
        )
    return snowflake_destination(target)


def _missing_fields(traces: dict[str, Any]) -> list[str]:
    """The leaf fields dlt could not find, e.g. ["database", "host"] under credentials."""
    missing = []
    for name, field_traces in traces.items():
        nested = [trace for trace in field_traces if hasattr(trace, "traces")]
        missing.extend(_missing_fields(nested[0].traces) if nested else [name])
    return missing


def require_credentials(destination: Destination) -> None:
    """Fail early, in one sentence, when dlt cannot find the Snowflake connection."""
    if destination.destination_type != "dlt.destinations.snowflake":
        return
    try:
        destination.configuration(None)  # type: ignore[arg-type]
    except ConfigFieldMissingException as error:
        # dataset_name is missing too here: the pipeline gives it, not the configuration.
        if "credentials" not in error.traces:
            return
        fields = _missing_fields({"credentials": error.traces["credentials"]})
        variables = ", ".join(f"DESTINATION__SNOWFLAKE__CREDENTIALS__{f.upper()}" for f in fields)
        raise ConfigurationError(
            f"Snowflake is not configured for the loader: {', '.join(fields)} missing: set "
            f"{variables}, or the same keys under [destination.snowflake.credentials] in "
            ".dlt/secrets.toml (docs/snowflake.md lists them all), or use --target dev for DuckDB."
        ) from None
    except ConfigurationValueError as error:
        # e.g. a user without a password or a private key: dlt's words, without its traceback.
        raise ConfigurationError(
            f"Snowflake is not configured for the loader: {error} Set "
            "DESTINATION__SNOWFLAKE__CREDENTIALS__PRIVATE_KEY (or __PRIVATE_KEY_PATH, or "
            "__PASSWORD) as docs/snowflake.md describes."
        ) from None
