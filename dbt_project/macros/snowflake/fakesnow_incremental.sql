{#-
    For the `fakesnow` target only (the tests' Snowflake), like fakesnow.sql beside it:
    an incremental model's new rows go to a temporary table qualified with database and
    schema, which fakesnow rejects ("TEMPORARY table names can *only* use the temp
    catalog"). There it is an ordinary table, which the materialization drops at the end
    as it would the temporary one. Every other Snowflake target gets dbt's own macro.
-#}
{% macro snowflake__create_table_as(temporary, relation, compiled_code, language='sql') -%}
    {%- if target.name == 'fakesnow' -%}
        {{ return(dbt.snowflake__create_table_as(false, relation, compiled_code, language)) }}
    {%- else -%}
        {{ return(dbt.snowflake__create_table_as(temporary, relation, compiled_code, language)) }}
    {%- endif -%}
{%- endmacro %}

{#-
    dbt-snowflake runs an incremental model's merge inside `begin; …; commit;`, which
    fakesnow's server cannot run (it reads the bare `begin` as a table name). On the
    `fakesnow` target the merge runs on its own; elsewhere dbt's macro, unchanged.
-#}
{% macro snowflake_dml_explicit_transaction(dml) -%}
    {%- if target.name == 'fakesnow' -%}
        {{ return(dml) }}
    {%- else -%}
        {{ return(dbt.snowflake_dml_explicit_transaction(dml)) }}
    {%- endif -%}
{%- endmacro %}
