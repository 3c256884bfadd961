"""Live data sources (.tds): the marts in Snowflake (the reporter role) and in serving.duckdb.

Each .tds is one table, like Tableau writes it after "Connect → table → Save Data
Source": a federated connection over one named connection, the relation and the
metadata records. Tableau asks for the password/key (Snowflake) or needs the DuckDB
connector (DuckDB) when it opens them; no secret is ever written here.
"""

import os
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

from serving.tableau.hyper import Table
from serving.tableau.workbook import DOCUMENT_VERSION, _sub, datasource_element

# ingestion/warehouse/snowflake_setup.sql: Tableau's user, its role (reads MARTS), the warehouse.
SNOWFLAKE_DATABASE = "SPOTIFY"
SNOWFLAKE_SCHEMA = "MARTS"
SNOWFLAKE_USER = "SPOTIFY_TABLEAU"
SNOWFLAKE_ROLE = "SPOTIFY_REPORTER"
SNOWFLAKE_WAREHOUSE = "SPOTIFY_WH"


def snowflake_server() -> str:
    """<account>.snowflakecomputing.com from SNOWFLAKE_ACCOUNT, or a placeholder to edit."""
    account = os.environ.get("SNOWFLAKE_ACCOUNT") or "YOUR_ACCOUNT"
    return f"{account}.snowflakecomputing.com"


def _document(table: Table, connection: Callable[[ET.Element], str], uppercase: bool) -> bytes:
    holder = ET.Element("holder")
    if uppercase:  # Snowflake folds unquoted names (dbt's) to upper case
        table = Table(
            table.name.upper(),
            tuple(type(column)(column.name.upper(), column.type) for column in table.columns),
            table.rows,
        )
    source = datasource_element(
        holder,
        table,
        (),
        caption=table.name.lower(),
        connection=connection,
    )
    source.attrib.pop("name")
    source.attrib = {
        "formatted-name": f"spotify_elt.{table.name.lower()}",
        "inline": "true",
        "source-platform": "linux",
        "version": DOCUMENT_VERSION,
    }
    ET.indent(source, space="  ")
    return b"<?xml version='1.0' encoding='utf-8' ?>\n\n" + ET.tostring(source, "utf-8")


def snowflake_tds(table: Table) -> bytes:
    def connection(federated: ET.Element) -> str:
        named = _sub(_sub(federated, "named-connections"), "named-connection")
        named.set("caption", snowflake_server())
        named.set("name", "snowflake.spotify_marts")
        _sub(
            named,
            "connection",
            authentication="Username Password",
            **{"class": "snowflake"},
            dbname=SNOWFLAKE_DATABASE,
            odbc_connect_string_extras="",
            one_time_sql="",
            schema=SNOWFLAKE_SCHEMA,
            server=snowflake_server(),
            service=SNOWFLAKE_ROLE,
            username=SNOWFLAKE_USER,
            warehouse=SNOWFLAKE_WAREHOUSE,
        )
        return f"[{SNOWFLAKE_DATABASE}].[{SNOWFLAKE_SCHEMA}].[{table.name.upper()}]"

    return _document(table, connection, uppercase=True)


def duckdb_tds(table: Table, serving_file: Path) -> bytes:
    """Through the DuckDB connector for Tableau (class duckdb_jdbc) on the local file."""

    def connection(federated: ET.Element) -> str:
        named = _sub(_sub(federated, "named-connections"), "named-connection")
        named.set("caption", serving_file.name)
        named.set("name", "duckdb_jdbc.serving")
        duckdb = _sub(named, "connection", authentication="auth-none", **{"class": "duckdb_jdbc"})
        duckdb.set("server", "local")
        # The connector's own attribute name (connectionFields.xml of the DuckDB taco).
        duckdb.set("v-connection_string_file", str(serving_file))
        return f"[marts].[{table.name}]"

    return _document(table, connection, uppercase=False)
