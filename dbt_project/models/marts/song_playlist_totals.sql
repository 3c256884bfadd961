-- One row per song × playlist it was ever on: observation days on it, stays, best peak.

with

runs as (

    select * from {{ ref('song_playlist_runs') }}

),

final as (

    select
        -- ids
        playlist_id,
        song_id,

        -- numerics
        cast(sum(days_on) as integer) as total_days,
        cast(count(*) as integer) as runs,
        cast(min(peak_position) as integer) as best_peak_position,

        -- booleans
        max(case when is_current then 1 else 0 end) = 1 as is_current,

        -- dates
        min(first_observed_date) as first_observed_date,
        max(last_observed_date) as last_observed_date

    from runs
    group by playlist_id, song_id

)

select * from final
