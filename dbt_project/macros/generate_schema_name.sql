{#-
    Use a custom schema as is: the marts land in `marts`, not `<target schema>_marts`
    (dbt's default), so Tableau and the CLI find them under the same name on every
    target. Models without a custom schema go to the target's schema.
    Snowflake development targets should then use a database of their own.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
