{#-
    Fails for every row where the SQL expression is false (a null result passes,
    as in dbt_utils, so nullable columns need no guard). Usage, at model level:
        data_tests:
          - expression_is_true:
              arguments:
                expression: "duration_ms >= 0"
-#}
{% test expression_is_true(model, expression, column_name=none) %}

with

final as (

    select * from {{ model }}
    where not ({{ expression }})

)

select * from final

{% endtest %}
