{#- Helpers of the history models. Documented in _macros.yml. -#}

{#-
    The UTC calendar day of a timestamp with time zone, as a date. Not a plain cast:
    DuckDB casts in the session's time zone, which is the machine's.
-#}
{% macro utc_date(timestamp_expression) -%}
    {{ return(adapter.dispatch('utc_date', 'spotify_elt')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__utc_date(timestamp_expression) -%}
    {{ spotify_elt._unsupported('utc_date') }}
{%- endmacro %}

{% macro duckdb__utc_date(timestamp_expression) -%}
    cast(timezone('UTC', {{ timestamp_expression }}) as date)
{%- endmacro %}

{% macro snowflake__utc_date(timestamp_expression) -%}
    cast(convert_timezone('UTC', {{ timestamp_expression }}) as date)
{%- endmacro %}

{#-
    The incremental filter of a staging table (inside `{% if is_incremental() %}`): the raw rows of loads newer than the
    newest load already staged. A rebuild of the raw tables gives every row a new load
    id, and the staging tables' unique keys (which include lake_file) make that a replace.
-#}
{% macro rows_of_new_loads(load_id_column='_dlt_load_id') -%}
    {{ load_id_column }} > {{ spotify_elt.newest_in_this('max(load_id)', dbt.type_string(), "''") }}
{%- endmacro %}

{#-
    The incremental filter of a history fact (inside `{% if is_incremental() %}`): the observation days from `lookback` days
    before the newest day already built. Late data older than that needs
    `dbt build --full-refresh` (or a larger `history_lookback_days`).
-#}
{% macro within_lookback(date_column) -%}
    {{ date_column }} >= {{ spotify_elt.newest_in_this(
        'max(observed_date) - ' ~ (var('history_lookback_days') | int),
        'date',
        "cast('1900-01-01' as date)",
    ) }}
{%- endmacro %}

{#-
    A value computed from this model's own table (e.g. `max(load_id)`), as a literal of
    `data_type`, or `fallback` for an empty table: the query runs while dbt executes the
    model. A literal in an incremental filter lets DuckDB skip the row groups of older
    values (zone maps); the same filter as a subquery scanned all history on every run
    (7 s of a 40 s daily build at a year of 50 playlists).
-#}
{% macro newest_in_this(expression, data_type, fallback) -%}
    {%- set value = none -%}
    {%- if execute -%}
        {%- set query -%}
            select cast({{ expression }} as {{ dbt.type_string() }}) from {{ this }}
        {%- endset -%}
        {%- set value = run_query(query).columns[0].values()[0] -%}
    {%- endif -%}
    {%- if value is none -%}
        {{ fallback }}
    {%- else -%}
        cast('{{ value | replace("'", "''") }}' as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
