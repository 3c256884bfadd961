{#-
    A hash of the given columns, null-safe and order-sensitive, in the manner of
    dbt_utils.generate_surrogate_key (no hub packages here). Portable through
    dbt's own cross-database macros (dbt.hash, dbt.concat, dbt.type_string).
-#}
{% macro generate_surrogate_key(column_names) -%}
    {%- set parts = [] -%}
    {%- for column_name in column_names -%}
        {%- do parts.append(
            "coalesce(cast(" ~ column_name ~ " as " ~ dbt.type_string() ~ "), '_spotify_elt_null_')"
        ) -%}
        {%- if not loop.last -%}{%- do parts.append("'-'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
