{#-
    dbt's is_incremental, except that without introspection (`dbt compile
    --no-introspect`, as tests/dbt/test_dbt_snowflake_compile.py compiles offline) it
    says false instead of asking the warehouse whether the table exists: the model
    compiles to its full-refresh form. With introspection (every run and build), it is
    dbt's own macro.
-#}
{% macro is_incremental() %}
    {%- if execute and not flags.INTROSPECT -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{% endmacro %}
