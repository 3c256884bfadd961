{#-
    Fails for every combination of the given columns that occurs more than once
    (a composite key check in the manner of dbt_utils; no hub packages here).
    Usage, at model level:
        data_tests:
          - unique_combination_of_columns:
              arguments:
                combination_of_columns: [playlist_id, snapshot_id, position]
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

validation as (

    select
        {% for column_name in combination_of_columns -%}
        {{ column_name }},
        {% endfor -%}
        count(*) as occurrences

    from {{ model }}
    group by {% for column_name in combination_of_columns -%}
        {{ column_name }}{{ ", " if not loop.last }}
    {%- endfor %}

),

final as (

    select * from validation
    where occurrences > 1

)

select * from final

{% endtest %}
