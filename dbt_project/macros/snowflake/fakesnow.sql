{#-
    Overrides for the `fakesnow` target only (the tests' Snowflake: fakesnow's
    server, see tests/production/snowflake_server.py). On every other Snowflake
    target each macro hands over to dbt's own implementation unchanged.
-#}

{#-
    dbt unit tests first create an empty temporary table, qualified with database
    and schema, to learn the column types of the model under test. fakesnow
    (DuckDB) keeps temporary tables in a catalog of their own and rejects the
    qualified name ("TEMPORARY table names can *only* use the temp catalog"). On
    fakesnow that table is created as an ordinary one; the unit test materialization
    drops it at the end as it would the temporary one.
-#}
{% macro snowflake__get_create_table_as_sql(temporary, relation, sql) -%}
    {%- if target.name == 'fakesnow' -%}
        {{ return(dbt.default__get_create_table_as_sql(false, relation, sql)) }}
    {%- else -%}
        {{ return(dbt.default__get_create_table_as_sql(temporary, relation, sql)) }}
    {%- endif -%}
{%- endmacro %}
