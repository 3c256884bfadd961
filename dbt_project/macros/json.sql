{#-
    JSON access, behind adapter.dispatch: DuckDB stores the API objects in JSON
    columns, Snowflake in VARIANT columns. Every macro takes a column reference
    (`payload`, `artists_payload`, `artist.value`; not an arbitrary expression, since
    Snowflake's path operator applies to a column) and a dotted key path such as
    'album.release_date'. A JSON null reads as SQL null everywhere.
    Documented in _macros.yml.
-#}

{#- ---- text ----------------------------------------------------------- -#}
{% macro json_text(json_column, path) -%}
    {{ return(adapter.dispatch('json_text', 'spotify_elt')(json_column, path)) }}
{%- endmacro %}

{% macro default__json_text(json_column, path) -%}
    {{ spotify_elt._unsupported('json_text') }}
{%- endmacro %}

{% macro duckdb__json_text(json_column, path) -%}
    json_extract_string({{ json_column }}, '{{ spotify_elt._duckdb_json_path(path) }}')
{%- endmacro %}

{% macro snowflake__json_text(json_column, path) -%}
    {{ spotify_elt._snowflake_json_path(json_column, path) }}::varchar
{%- endmacro %}

{#- ---- whole numbers --------------------------------------------------- -#}
{% macro json_integer(json_column, path) -%}
    {{ return(adapter.dispatch('json_integer', 'spotify_elt')(json_column, path)) }}
{%- endmacro %}

{% macro default__json_integer(json_column, path) -%}
    {{ spotify_elt._unsupported('json_integer') }}
{%- endmacro %}

{% macro duckdb__json_integer(json_column, path) -%}
    try_cast(json_extract_string({{ json_column }}, '{{ spotify_elt._duckdb_json_path(path) }}') as bigint)
{%- endmacro %}

{% macro snowflake__json_integer(json_column, path) -%}
    try_cast({{ spotify_elt._snowflake_json_path(json_column, path) }}::varchar as bigint)
{%- endmacro %}

{#- ---- booleans -------------------------------------------------------- -#}
{% macro json_boolean(json_column, path) -%}
    {{ return(adapter.dispatch('json_boolean', 'spotify_elt')(json_column, path)) }}
{%- endmacro %}

{% macro default__json_boolean(json_column, path) -%}
    {{ spotify_elt._unsupported('json_boolean') }}
{%- endmacro %}

{% macro duckdb__json_boolean(json_column, path) -%}
    try_cast(json_extract_string({{ json_column }}, '{{ spotify_elt._duckdb_json_path(path) }}') as boolean)
{%- endmacro %}

{% macro snowflake__json_boolean(json_column, path) -%}
    try_cast({{ spotify_elt._snowflake_json_path(json_column, path) }}::varchar as boolean)
{%- endmacro %}

{#- ---- nested objects and arrays, kept as JSON / VARIANT ---------------- -#}
{% macro json_object(json_column, path) -%}
    {{ return(adapter.dispatch('json_object', 'spotify_elt')(json_column, path)) }}
{%- endmacro %}

{% macro default__json_object(json_column, path) -%}
    {{ spotify_elt._unsupported('json_object') }}
{%- endmacro %}

{% macro duckdb__json_object(json_column, path) -%}
    nullif(json_extract({{ json_column }}, '{{ spotify_elt._duckdb_json_path(path) }}'), 'null'::json)
{%- endmacro %}

{% macro snowflake__json_object(json_column, path) -%}
    strip_null_value({{ spotify_elt._snowflake_json_path(json_column, path) }})
{%- endmacro %}

{#- ---- an array of strings as one text ---------------------------------- -#}
{% macro json_string_array_to_text(json_column, path, separator=', ') -%}
    {{ return(adapter.dispatch('json_string_array_to_text', 'spotify_elt')(json_column, path, separator)) }}
{%- endmacro %}

{% macro default__json_string_array_to_text(json_column, path, separator=', ') -%}
    {{ spotify_elt._unsupported('json_string_array_to_text') }}
{%- endmacro %}

{% macro duckdb__json_string_array_to_text(json_column, path, separator=', ') -%}
    nullif(array_to_string(json_extract_string({{ json_column }}, '{{ spotify_elt._duckdb_json_path(path) }}[*]'), '{{ separator }}'), '')
{%- endmacro %}

{% macro snowflake__json_string_array_to_text(json_column, path, separator=', ') -%}
    nullif(array_to_string({{ spotify_elt._snowflake_json_path(json_column, path) }}, '{{ separator }}'), '')
{%- endmacro %}

{#- ---- explode an array of objects, one row per element ----------------- -#}
{#-
    Renders a join clause; `path` may be '' when the column itself is the array.
    The joined relation `alias` has two columns:
    `alias.index` (0-based position in the array) and `alias.value` (the element,
    JSON / VARIANT). Rows whose array is missing, null or empty produce no row.
-#}
{% macro json_array_elements(json_column, path, alias) -%}
    {{ return(adapter.dispatch('json_array_elements', 'spotify_elt')(json_column, path, alias)) }}
{%- endmacro %}

{% macro default__json_array_elements(json_column, path, alias) -%}
    {{ spotify_elt._unsupported('json_array_elements') }}
{%- endmacro %}

{% macro duckdb__json_array_elements(json_column, path, alias) -%}
    cross join lateral (
        select
            cast(array_element.key as bigint) as index,
            array_element.value as value
        from json_each({{ json_column }}, '{{ spotify_elt._duckdb_json_path(path) }}') as array_element
        -- json_each yields one row for a JSON null; arrays only
        where json_type({{ json_column }}, '{{ spotify_elt._duckdb_json_path(path) }}') = 'ARRAY'
    ) as {{ alias }}
{%- endmacro %}

{% macro snowflake__json_array_elements(json_column, path, alias) -%}
    {#- Snowflake's documented form of a lateral join: `from t, lateral flatten(…)`. -#}
    , lateral flatten(input => {{ spotify_elt._snowflake_json_path(json_column, path) }}) as {{ alias }}
{%- endmacro %}

{#- ---- path helpers (not dispatched) ------------------------------------- -#}
{% macro _duckdb_json_path(path) -%}
    {%- set keys = path.split('.') if path else [] -%}
    ${% for key in keys %}."{{ key }}"{% endfor %}
{%- endmacro %}

{% macro _snowflake_json_path(json_column, path) -%}
    {%- set keys = path.split('.') if path else [] -%}
    {{ json_column }}{% for key in keys %}{{ ':' if loop.first else '.' }}"{{ key }}"{% endfor %}
{%- endmacro %}

{% macro _unsupported(macro_name) -%}
    {{ exceptions.raise_compiler_error(
        macro_name ~ " has no implementation for the adapter '" ~ adapter.type()
        ~ "'. Add a " ~ adapter.type() ~ "__" ~ macro_name ~ " macro in macros/."
    ) }}
{%- endmacro %}
