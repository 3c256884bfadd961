{#- Source freshness against a reference "now". Documented in _macros.yml. -#}

{#-
    The time source freshness measures ages against: SPOTIFY_ELT_FRESHNESS_REFERENCE_AT
    (an ISO 8601 time, set by the pipeline for a simulated demo day, or by hand to judge
    a history as of a given moment), else the warehouse's current time.
-#}
{% macro freshness_reference_at() -%}
    {%- set reference = env_var('SPOTIFY_ELT_FRESHNESS_REFERENCE_AT', '') -%}
    {%- if reference -%}
        {{ return(spotify_elt.timestamp_tz_literal(reference)) }}
    {%- else -%}
        {{ return(current_timestamp()) }}
    {%- endif -%}
{%- endmacro %}

{% macro timestamp_tz_literal(iso_text) -%}
    {{ return(adapter.dispatch('timestamp_tz_literal', 'spotify_elt')(iso_text)) }}
{%- endmacro %}

{% macro default__timestamp_tz_literal(iso_text) -%}
    {{ spotify_elt._unsupported('timestamp_tz_literal') }}
{%- endmacro %}

{% macro duckdb__timestamp_tz_literal(iso_text) -%}
    cast('{{ iso_text | replace("'", "") }}' as timestamp with time zone)
{%- endmacro %}

{% macro snowflake__timestamp_tz_literal(iso_text) -%}
    to_timestamp_tz('{{ iso_text | replace("'", "") }}')
{%- endmacro %}

{#-
    dbt's own collect_freshness (global_project/macros/adapters/freshness.sql), with the
    reference time above as `snapshotted_at`: the root project's macro of the same name
    takes precedence over dbt's, on every adapter.
-#}
{% macro collect_freshness(source, loaded_at_field, filter) %}
    {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
        select
            max({{ loaded_at_field }}) as max_loaded_at,
            {{ spotify_elt.freshness_reference_at() }} as snapshotted_at
        from {{ source }}
        {% if filter %}
            where {{ filter }}
        {% endif %}
    {%- endcall %}
    {{ return(load_result('collect_freshness')) }}
{% endmacro %}
