{#- Date and time parsing, behind adapter.dispatch. Documented in _macros.yml. -#}

{#-
    dlt's load id is the unix time of the load as text ("1763740800.123456"):
    the time the row was loaded, for source freshness and `loaded_at` columns.
-#}
{% macro load_id_to_timestamp(load_id_column) -%}
    {{ return(adapter.dispatch('load_id_to_timestamp', 'spotify_elt')(load_id_column)) }}
{%- endmacro %}

{% macro default__load_id_to_timestamp(load_id_column) -%}
    {{ spotify_elt._unsupported('load_id_to_timestamp') }}
{%- endmacro %}

{% macro duckdb__load_id_to_timestamp(load_id_column) -%}
    to_timestamp(try_cast({{ load_id_column }} as double))
{%- endmacro %}

{% macro snowflake__load_id_to_timestamp(load_id_column) -%}
    to_timestamp_tz(try_cast({{ load_id_column }} as number(20, 6)))
{%- endmacro %}

{#- An ISO 8601 text from the API ("2023-11-01T08:47:52Z") → timestamp with time zone. -#}
{% macro iso_timestamp(text_expression) -%}
    {{ return(adapter.dispatch('iso_timestamp', 'spotify_elt')(text_expression)) }}
{%- endmacro %}

{% macro default__iso_timestamp(text_expression) -%}
    {{ spotify_elt._unsupported('iso_timestamp') }}
{%- endmacro %}

{% macro duckdb__iso_timestamp(text_expression) -%}
    try_cast({{ text_expression }} as timestamp with time zone)
{%- endmacro %}

{% macro snowflake__iso_timestamp(text_expression) -%}
    try_to_timestamp_tz({{ text_expression }})
{%- endmacro %}

{#-
    Spotify's release_date is "YYYY-MM-DD", "YYYY-MM" or "YYYY" according to
    release_date_precision (day / month / year). A missing month or day becomes
    the first one: "1962" → 1962-01-01, "2019-05" → 2019-05-01. "0000" (Spotify's
    unknown year) and anything unparseable → null.
-#}
{% macro release_date(date_text) -%}
    {{ return(adapter.dispatch('release_date', 'spotify_elt')(date_text)) }}
{%- endmacro %}

{% macro default__release_date(date_text) -%}
    {{ spotify_elt._unsupported('release_date') }}
{%- endmacro %}

{% macro duckdb__release_date(date_text) -%}
    case
        when {{ date_text }} not like '0000%'
            then try_cast(left({{ date_text }} || '-01-01', 10) as date)
    end
{%- endmacro %}

{% macro snowflake__release_date(date_text) -%}
    case
        when {{ date_text }} not like '0000%'
            then try_to_date(left({{ date_text }} || '-01-01', 10), 'YYYY-MM-DD')
    end
{%- endmacro %}
