"""The parts of dbt's Jinja context that sqlfluff's jinja templater lacks.

sqlfluff (dbt_project/.sqlfluff, `library_path`) puts every name of this package into
the templates' context, next to its dbt builtins (ref, source, var, config, return).
With them the project's own macros render as dbt renders them on DuckDB, the default
target, without dbt or a database:

- `adapter.dispatch('json_text', 'spotify_elt')` picks `duckdb__json_text`, else
  `default__json_text`, among the macros sqlfluff loaded from macros/;
- `spotify_elt.<macro>` reaches a project macro by its namespace;
- `dbt.<macro>` and `listagg` are the DuckDB SQL of the few dbt cross-database
  macros the project calls (and `dbt.is_incremental`, false). Another one is
  reported as an undefined variable.

Nothing here runs in dbt itself.
"""

from collections.abc import Callable as _Callable
from typing import Any as _Any

from jinja2 import pass_context as _pass_context
from jinja2.runtime import Context as _Context

_ADAPTER_TYPE = "duckdb"


def _render_macro(name: str) -> _Callable[..., _Any]:
    """A callable that renders the macro `name` of the calling template's context."""

    @_pass_context
    def call(context: _Context, *args: _Any, **kwargs: _Any) -> _Any:
        macro = context.resolve_or_missing(name)
        if not callable(macro):
            raise KeyError(f"no macro {name}")
        # Through the environment, so that dbt's `return()` ends at the macro.
        return context.environment.call(context, macro, *args, **kwargs)

    return call


class _Namespace:
    """A macro namespace (`spotify_elt.json_text`), like dbt's, item access only.

    Jinja's sandbox forbids attributes starting with `_` (`spotify_elt._unsupported`),
    but falls back to item access when the attribute does not exist, as in dbt.
    """

    def __getitem__(self, name: str) -> _Callable[..., _Any]:
        return _render_macro(name)


class _Adapter:
    """`adapter` of dbt's context: dispatch and type, for DuckDB."""

    @staticmethod
    def type() -> str:
        return _ADAPTER_TYPE

    @staticmethod
    @_pass_context
    def dispatch(context: _Context, macro_name: str, macro_namespace: str | None = None) -> _Any:
        for prefix in (f"{_ADAPTER_TYPE}__", "default__"):
            macro = context.resolve_or_missing(prefix + macro_name)
            if callable(macro):
                return macro
        if macro_namespace == "dbt" and macro_name in _DBT_MACROS:
            return _DBT_MACROS[macro_name]
        raise KeyError(f"no {_ADAPTER_TYPE}__ or default__ implementation of {macro_name}")


def _listagg(
    measure: str,
    delimiter_text: str = "','",
    order_by_clause: str | None = None,
    limit_num: int | None = None,
) -> str:
    if limit_num:
        return (
            f"list_aggr((array_agg({measure} {order_by_clause or ''}))[1:{limit_num}],"
            f" 'string_agg', {delimiter_text})"
        )
    return f"string_agg({measure}, {delimiter_text} {order_by_clause or ''})"


# dbt's cross-database macros as dbt-duckdb renders them (dbt/include/*/macros/utils).
_DBT_MACROS: dict[str, _Callable[..., str]] = {
    "type_string": lambda: "text",
    "type_bigint": lambda: "bigint",
    "type_int": lambda: "integer",
    "type_boolean": lambda: "boolean",
    "type_timestamp": lambda: "timestamp",
    "hash": lambda field: f"md5(cast({field} as text))",
    "concat": lambda fields: " || ".join(fields),
    "listagg": _listagg,
    # the full-refresh form of incremental models (the project's is_incremental wraps it)
    "is_incremental": lambda: False,
    "dateadd": lambda datepart, interval, from_date_or_timestamp: (
        f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"
    ),
}


class _DbtNamespace:
    """`dbt.<macro>`: the cross-database macros above; others are undefined."""

    def __getitem__(self, name: str) -> _Callable[..., str]:
        return _DBT_MACROS[name]


class _Exceptions:
    @staticmethod
    def raise_compiler_error(message: str) -> None:
        raise RuntimeError(message)


class _Target:
    """`target` of dbt's context: the default `dev` target (profiles.yml)."""

    name = "dev"
    type = _ADAPTER_TYPE
    schema = "main"
    database = "warehouse"


adapter = _Adapter()
dbt = _DbtNamespace()
spotify_elt = _Namespace()
exceptions = _Exceptions()
target = _Target()
listagg = _listagg
