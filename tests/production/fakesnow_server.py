"""fakesnow's server with the gaps this project's SQL runs into closed: a script.

`python tests/production/fakesnow_server.py --port PORT` serves it on 127.0.0.1; the
`snowflake_server` fixture (snowflake_server.py) starts it for the tests.

The tests talk to it over the network as production talks to Snowflake: dlt's
Snowflake destination and dbt-snowflake both go through snowflake-connector-python's
REST protocol (`host`, `port`, `protocol: http`, account `fakesnow`).

Run as a script (what the `snowflake_server` fixture does), this module serves
fakesnow's own HTTP app after closing the gaps of fakesnow 0.11.20 (pinned in
pyproject.toml) that this project's SQL runs into. Each closes a gap in fakesnow's
emulation of Snowflake; none changes what a client sends, and every client's SQL is
the SQL it would send to Snowflake:

1. Options separated by commas (`PUT … OVERWRITE = TRUE, AUTO_COMPRESS = FALSE`,
   `FILE_FORMAT = (TYPE = 'JSON', BINARY_FORMAT = 'BASE64')`, as dlt writes them):
   fakesnow's option parser stops at sqlglot's comma marker.
2. A stage location in quotes (`PUT 'file://…' '@"RAW"."%TABLE"/"<load id>"'`),
   which dlt always uses: fakesnow reads the quotes as part of the stage name.
3. `COPY INTO <table> … FILE_FORMAT = (TYPE = 'JSON') MATCH_BY_COLUMN_NAME = …`, dlt's
   load of JSON lines: fakesnow loads JSON only into a single VARIANT column. Here each
   top-level key goes to the column of that name (case-insensitive unless
   CASE_SENSITIVE), into a VARIANT column as JSON, into others cast to the column type;
   keys without a column are ignored, as Snowflake documents it.
4. TO_TIMESTAMP_TZ / TRY_TO_TIMESTAMP_TZ (and _LTZ) and ARRAY_TO_STRING on a VARIANT
   array, used by the project's snowflake__ macros: fakesnow has no DuckDB translation.
5. A table comment with a quote in it (dbt's persist_docs): fakesnow's bookkeeping
   INSERT breaks on the quote.
6. Anything fakesnow cannot run answers as a SQL error, as Snowflake would, not as
   HTTP 500, which the connector retries for minutes before giving up.
7. dbt's persist_docs comments several columns in one `ALTER TABLE t ALTER "A" COMMENT
   $$…$$, "B" COMMENT $$…$$`; fakesnow parses one `ALTER COLUMN … COMMENT` at a time.
8. Service users: fakesnow lets anyone in. Here `ALTER USER <name> SET RSA_PUBLIC_KEY =
   '…'` (or `SET PASSWORD = '…'`), as ingestion/warehouse/snowflake_setup.sql runs it, registers
   the user, whose logins are then checked: a key-pair login's JWT must be signed by the
   registered key and name it, a password login must match. Unregistered users (the
   tests' `fake`/`snow`) are let in as before.
9. Several statements in one request (`CREATE …; ALTER …`, as dlt sends its DDL and
   merges to Snowflake with MULTI_STATEMENT_COUNT): fakesnow runs one statement per
   request. Here they are split as the connector's own `split_statements` splits them
   and run in order; the answer is the last statement's.
10. A database-qualified temporary table (`CREATE TEMPORARY TABLE "DB"."S"."T" AS …`,
   as dbt-snowflake creates them for unit tests and incremental models): fakesnow
   (DuckDB) keeps temporary tables in a catalog of their own and rejects the name.
   Here it is an ordinary table; dbt drops it when done, as it would the temporary one.
11. A bare `begin` / `commit` (dbt-snowflake wraps an incremental model's DML in
   `begin; …; commit;`): fakesnow reads `begin` as a table name. Here both are
   acknowledged; each statement of the block runs on its own, as fakesnow runs them.

The file upload itself (the connector PUTs the file to the stage over HTTP), the
merge, DDL and state SQL of dlt and everything else dbt sends are fakesnow's own
work. What a fake cannot show is listed in docs/snowflake.md.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import logging
import re
import sys
from typing import Any

HOST = "127.0.0.1"
ACCOUNT = "fakesnow"


# Users registered by ALTER USER … SET RSA_PUBLIC_KEY / PASSWORD (gap 8), by upper-case name.
_SERVICE_USERS: dict[str, dict[str, str]] = {}
_ALTER_USER = re.compile(
    r"^\s*alter\s+user\s+(?:if\s+exists\s+)?\"?([\w$]+)\"?\s+set\s+(rsa_public_key|password)"
    r"\s*=\s*'([^']*)'\s*;?\s*$",
    re.IGNORECASE,
)
_QUALIFIED_TEMPORARY_TABLE = re.compile(
    r"^(\s*create\s+(?:or\s+replace\s+)?)(?:local\s+|global\s+)?temp(?:orary)?\s+"
    r"(table\s+(?:if\s+not\s+exists\s+)?(?:\"[^\"]+\"|\w+)\.(?:\"[^\"]+\"|\w+)\.)",
    re.IGNORECASE,
)
_TRANSACTION_CONTROL = re.compile(
    r"^\s*(begin|start\s+transaction|commit|rollback)(\s+(transaction|work))?\s*;?\s*$",
    re.IGNORECASE,
)
# dbt puts its query comment (`/* {"app": "dbt", …} */`) before a statement, or after
# it (its own `BEGIN`).
_LEADING_COMMENTS = re.compile(r"^(?:\s*(?:/\*.*?\*/|--[^\n]*\n))*", re.DOTALL)
_TRAILING_COMMENTS = re.compile(r"(?:\s*(?:/\*.*?\*/|--[^\n]*))*\s*$", re.DOTALL)
_ALTER_COLUMNS = re.compile(r"^\s*alter\s+table\s+(\S+)\s+alter\s+(?!column\b)", re.IGNORECASE)
_COLUMN_COMMENT = re.compile(
    r'("(?:[^"]|"")+"|\w+)\s+comment\s+\$\$(.*?)\$\$', re.IGNORECASE | re.DOTALL
)


def _close_fakesnow_gaps() -> None:
    """Patch fakesnow in this server process only (see the module's docstring)."""
    import fakesnow.copy_into
    import fakesnow.cursor
    import fakesnow.info_schema
    import fakesnow.transforms
    import fakesnow.transforms.stage
    import snowflake.connector.errors
    from sqlglot import exp

    # 1. comma-separated options
    original_parse_options = fakesnow.transforms.stage.parse_options

    def parse_options(properties: Any) -> dict[str, Any]:
        return original_parse_options(
            [prop for prop in properties if not isinstance(prop, exp.SequenceProperties)]
        )

    fakesnow.transforms.stage.parse_options = parse_options
    fakesnow.copy_into.parse_options = parse_options

    # 2. a quoted stage location
    original_put_stage = fakesnow.transforms.put_stage

    def put_stage(expression: exp.Expr, *args: Any, **kwargs: Any) -> exp.Expr:
        if isinstance(expression, exp.Put):
            target = expression.args.get("target")
            location = target.this if isinstance(target, exp.Var) else None
            if isinstance(location, str) and location.startswith("'@") and location.endswith("'"):
                expression.set("target", exp.var(location[1:-1].replace("\\'", "'")))
        return original_put_stage(expression, *args, **kwargs)

    fakesnow.transforms.put_stage = put_stage

    # 3. JSON with MATCH_BY_COLUMN_NAME
    original_copy_into = fakesnow.cursor.copy_into

    def copy_into(duck_conn: Any, database: Any, schema: Any, expr: exp.Copy, *args: Any) -> str:
        mode = _json_match_by_column_name(expr)
        if mode is None:
            return original_copy_into(duck_conn, database, schema, expr, *args)
        return _copy_json_by_column_name(duck_conn, database, schema, expr, mode, *args)

    fakesnow.cursor.copy_into = copy_into

    # 4. Snowflake functions without a DuckDB translation
    cursor_class = fakesnow.cursor.FakeSnowflakeCursor
    original_transform = cursor_class._transform  # noqa: SLF001

    def _transform(self: Any, expression: exp.Expr, params: Any) -> exp.Expr:
        return original_transform(self, expression.transform(_snowflake_functions), params)

    cursor_class._transform = _transform  # noqa: SLF001

    # 5. table comments with a quote in them
    original_comment_sql = fakesnow.info_schema.insert_table_comment_sql

    def insert_table_comment_sql(catalog: str, schema: str, table: str, comment: Any) -> str:
        quoted = comment.replace("'", "''") if isinstance(comment, str) else comment
        return original_comment_sql(catalog, schema, table, quoted)

    fakesnow.info_schema.insert_table_comment_sql = insert_table_comment_sql

    # 6., 7. and 8.: statements fakesnow cannot run, column comments, service users
    original_execute = cursor_class.execute

    def execute(self: Any, command: str, *args: Any, **kwargs: Any) -> Any:
        try:
            if user := _ALTER_USER.match(command):
                name, attribute, value = user.groups()
                _SERVICE_USERS.setdefault(name.upper(), {})[attribute.lower()] = value
                return original_execute(self, "SELECT 'Statement executed successfully.'")
            if column_comments := _column_comments(command):
                for statement in column_comments:
                    original_execute(self, statement, *args, **kwargs)
                return self
            if len(statements := _statements(command)) > 1:
                for statement in statements:
                    execute(self, statement, *args, **kwargs)
                return self
            command = _LEADING_COMMENTS.sub("", command, count=1)
            if len(command) < 1000 and _TRANSACTION_CONTROL.match(
                _TRAILING_COMMENTS.sub("", command, count=1)
            ):
                return original_execute(self, "SELECT 'Statement executed successfully.'")
            command = _QUALIFIED_TEMPORARY_TABLE.sub(r"\1\2", command, count=1)
            return original_execute(self, command, *args, **kwargs)
        except snowflake.connector.errors.Error:
            raise
        except Exception as error:
            logging.getLogger("fakesnow.server").exception("fakesnow failed on: %s", command)
            raise snowflake.connector.errors.ProgrammingError(
                msg=f"fakesnow cannot run this statement: {type(error).__name__}: {error}",
                errno=2,
                sqlstate="0A000",
            ) from error

    cursor_class.execute = execute


def _json_match_by_column_name(expr: Any) -> str | None:
    """CASE_SENSITIVE / CASE_INSENSITIVE for a JSON COPY matching by column name, else None."""
    from sqlglot import exp

    file_type, mode = None, None
    for param in expr.args.get("params") or []:
        name = param.this.name.upper()
        if name == "FILE_FORMAT":
            for prop in param.expressions:
                if isinstance(prop, exp.Property) and prop.this.name.upper() == "TYPE":
                    file_type = prop.args["value"].name.upper()
        elif name == "MATCH_BY_COLUMN_NAME" and param.expression is not None:
            mode = param.expression.name.upper()
    if file_type == "JSON" and mode in ("CASE_SENSITIVE", "CASE_INSENSITIVE"):
        return mode
    return None


def _copy_json_by_column_name(
    duck_conn: Any,
    database: str | None,
    schema: str | None,
    expr: Any,
    mode: str,
    table_stages: Any,
    params: Any = None,
) -> str:
    """Load each JSON-lines file of the COPY's source into the columns its keys name."""
    from fakesnow import copy_into as fs_copy
    from fakesnow.transforms import stage
    from sqlglot import exp

    table = fs_copy._extract_table(expr.this)  # noqa: SLF001
    source = fs_copy._from_source(expr)  # noqa: SLF001
    if source.startswith("@"):
        source = fs_copy.stage_url_from_var(
            source[1:], duck_conn, database, schema, table_stages, table
        )
    urls = fs_copy._source_glob(source, duck_conn)  # noqa: SLF001
    target = exp.table_(
        table.name, db=table.db or schema, catalog=table.catalog or database, quoted=True
    ).sql(dialect="duckdb")
    columns = duck_conn.execute(f"DESCRIBE {target}").fetchall()

    results = []
    for url in urls:
        lines = f"read_json_objects({exp.Literal.string(url).sql(dialect='duckdb')})"
        keys = [
            key
            for (key,) in duck_conn.execute(
                f"SELECT DISTINCT unnest(json_keys(json)) FROM {lines}"
            ).fetchall()
        ]
        selected = []
        for name, data_type, *_ in columns:
            matches = [
                key
                for key in keys
                if key == name or (mode == "CASE_INSENSITIVE" and key.upper() == name.upper())
            ]
            if matches:
                path = exp.Literal.string(f'$."{matches[0]}"').sql(dialect="duckdb")
                extract = "json_extract" if data_type == "JSON" else "json_extract_string"
                selected.append(f'{extract}(json, {path}) AS "{name}"')
        loaded = 0
        if selected:
            insert = f"INSERT INTO {target} BY NAME SELECT {', '.join(selected)} FROM {lines}"
            (loaded,) = duck_conn.execute(insert).fetchone()
        name = stage.internal_file_name(url) if stage.is_internal(url) else url
        results.append((name, "LOADED", loaded, loaded, 1, 0, None, None, None, None))

    if results:
        columns_of_result = [
            "file",
            "status",
            "rows_parsed",
            "rows_loaded",
            "error_limit",
            "errors_seen",
            "first_error",
            "first_error_line",
            "first_error_character",
            "first_error_column_name",
        ]
        values = exp.values(results, alias="t", columns=columns_of_result)
        sql = exp.select("*").from_(values).sql(dialect="duckdb")
    else:
        sql = "SELECT 'Copy executed with 0 files processed.' AS status"
    duck_conn.execute(sql)
    return sql


def _statements(command: str) -> list[str]:
    """The statements of a request, split as snowflake-connector-python splits scripts (gap 9)."""
    if ";" not in command.strip().rstrip(";"):
        return [command]
    from io import StringIO

    from snowflake.connector.util_text import split_statements

    return [
        statement
        for statement, _ in split_statements(StringIO(command), remove_comments=True)
        if statement.strip().rstrip(";").strip()
    ]


def _column_comments(command: str) -> list[str]:
    """`ALTER TABLE t ALTER "A" COMMENT $$…$$, "B" COMMENT $$…$$` as one ALTER per column."""
    if not (match := _ALTER_COLUMNS.match(command)):
        return []
    table = match.group(1)
    return [
        f"ALTER TABLE {table} ALTER COLUMN {column} COMMENT '{text.replace(chr(39), chr(39) * 2)}'"
        for column, text in _COLUMN_COMMENT.findall(command[match.end() :])
    ]


def _snowflake_functions(node: Any) -> Any:
    """Rewrite, in Snowflake's own terms, the functions fakesnow lacks (gap 4).

    TO_TIMESTAMP_TZ / _LTZ (x) → TO_TIMESTAMP(x)::TIMESTAMP_TZ (fakesnow knows TO_TIMESTAMP
    for epoch seconds); TRY_TO_TIMESTAMP[_TZ|_LTZ](text) → TRY_CAST(text AS TIMESTAMP_TZ);
    ARRAY_TO_STRING(<variant path>, sep) reads the VARIANT as an array of text first.
    """
    from sqlglot import exp

    if isinstance(node, exp.Anonymous) and len(node.expressions) == 1:
        name = node.name.upper()
        argument = node.expressions[0]
        timestamp_tz = exp.DataType.build("TIMESTAMP_TZ", dialect="snowflake")
        if name in ("TO_TIMESTAMP_TZ", "TO_TIMESTAMP_LTZ"):
            epoch = exp.func("TO_TIMESTAMP", argument.copy(), dialect="snowflake")
            return exp.Cast(this=epoch, to=timestamp_tz)
        if name in ("TRY_TO_TIMESTAMP", "TRY_TO_TIMESTAMP_TZ", "TRY_TO_TIMESTAMP_LTZ"):
            return exp.TryCast(this=argument.copy(), to=timestamp_tz)
    if isinstance(node, exp.ArrayToString) and isinstance(node.this, exp.JSONExtract):
        as_text = exp.Anonymous(
            this="FROM_JSON", expressions=[node.this.copy(), exp.Literal.string('["VARCHAR"]')]
        )
        node.set("this", as_text)
    return node


def _login_refusal(data: dict[str, Any]) -> str | None:
    """Why a registered service user may not log in, or None (gap 8)."""
    user = str(data.get("LOGIN_NAME") or "").upper()
    if (registered := _SERVICE_USERS.get(user)) is None:
        return None
    if data.get("AUTHENTICATOR") == "SNOWFLAKE_JWT":
        return _jwt_refusal(user, str(data.get("TOKEN") or ""), registered.get("rsa_public_key"))
    if "password" in registered and data.get("PASSWORD") == registered["password"]:
        return None
    return "Incorrect username or password was specified."


def _jwt_refusal(user: str, token: str, public_key: str | None) -> str | None:
    import jwt
    from cryptography.hazmat.primitives import serialization

    if not public_key:
        return f"JWT token is invalid: no RSA_PUBLIC_KEY is set for user {user}."
    der = base64.b64decode(public_key)
    key = serialization.load_der_public_key(der)
    fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode()
    try:
        claims = jwt.decode(token, key=key, algorithms=["RS256"])  # type: ignore[arg-type]
    except jwt.PyJWTError as error:
        return f"JWT token is invalid: {error}."
    if claims.get("sub") != f"{ACCOUNT.upper()}.{user}" or not str(claims.get("iss")).endswith(
        f".{user}.{fingerprint}"
    ):
        return "JWT token is invalid: it names another account, user or key."
    return None


def _app() -> Any:
    """fakesnow's HTTP app, with logins of registered service users checked (gap 8)."""
    import fakesnow.server
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def login_request(request: Request) -> JSONResponse:
        body = await request.body()  # Starlette keeps it for fakesnow's handler
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if refusal := _login_refusal(json.loads(body).get("data") or {}):
            return JSONResponse(
                {"data": None, "code": "390144", "message": refusal, "success": False}
            )
        return await fakesnow.server.login_request(request)

    routes = [
        Route(route.path, login_request, methods=["POST"])
        if route.path == "/session/v1/login-request"
        else route
        for route in fakesnow.server.routes
    ]
    return Starlette(routes=routes)


def main() -> int:
    parser = argparse.ArgumentParser(description="fakesnow's server for the production tests")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default=HOST)
    arguments = parser.parse_args()
    _close_fakesnow_gaps()
    import uvicorn

    uvicorn.run(_app(), host=arguments.host, port=arguments.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
