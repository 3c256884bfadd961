-- The daily chart: one row per playlist × observation day × position (1-based), the
-- entries of the snapshot observed that day, with the item's position at the previous
-- observation of the playlist and how it moved since. Days without an observation
-- have no rows: they are unknown, not days the songs left.

{{
    config(
        materialized='incremental',
        unique_key=['playlist_id', 'observed_date', 'position'],
    )
}}

{#- Read by name in each CTE, not through one `select *` CTE: DuckDB materializes a CTE
    referenced more than once, here a year of entries with every column. -#}
{%- set snapshot_entries = ref('int_playlist_snapshot_entries') %}

with

observations as (

    select * from {{ ref('int_playlist_observations') }}

),

new_observations as (

    select * from observations
    {% if is_incremental() %}
    where {{ within_lookback('observed_date') }}
    {% endif %}

),

-- the first observation day of each item on each playlist, through the first day
-- each snapshot was observed (snapshots are far fewer than observation days)
snapshot_first_dates as (

    select
        playlist_id,
        snapshot_id,
        min(observed_date) as first_observed_date

    from observations
    group by playlist_id, snapshot_id

),

item_first_dates as (

    select
        snapshot_entries.playlist_id,
        snapshot_entries.item_key,
        min(snapshot_first_dates.first_observed_date) as first_observed_date

    from {{ snapshot_entries }} as snapshot_entries
    inner join snapshot_first_dates
        on
        snapshot_entries.playlist_id = snapshot_first_dates.playlist_id
        and snapshot_entries.snapshot_id = snapshot_first_dates.snapshot_id
    group by snapshot_entries.playlist_id, snapshot_entries.item_key

),

day_entries as (

    select
        new_observations.playlist_id,
        new_observations.observed_date,
        new_observations.observed_at,
        snapshot_entries.snapshot_id,
        snapshot_entries.item_id,
        snapshot_entries.song_id,
        snapshot_entries.item_key,
        snapshot_entries.item_type,
        snapshot_entries.item_name,
        snapshot_entries.position + 1 as position

    from new_observations
    inner join {{ snapshot_entries }} as snapshot_entries
        on
        new_observations.playlist_id = snapshot_entries.playlist_id
        and new_observations.snapshot_id = snapshot_entries.snapshot_id

),

-- an item listed twice counts at its best (smallest) position
previous_positions as (

    select
        new_observations.playlist_id,
        new_observations.observed_date,
        snapshot_entries.item_key,
        min(snapshot_entries.position) + 1 as previous_position

    from new_observations
    inner join {{ snapshot_entries }} as snapshot_entries
        on
        new_observations.playlist_id = snapshot_entries.playlist_id
        and new_observations.previous_snapshot_id = snapshot_entries.snapshot_id
    group by new_observations.playlist_id, new_observations.observed_date, snapshot_entries.item_key

),

final as (

    select
        -- ids
        day_entries.playlist_id,
        day_entries.snapshot_id,
        day_entries.item_id,
        day_entries.song_id,
        day_entries.item_key,

        -- strings
        day_entries.item_type,
        day_entries.item_name,
        case
            when previous_positions.previous_position is null
                then
                    case
                        when item_first_dates.first_observed_date < day_entries.observed_date
                            then 're-entry'
                        else 'new'
                    end
            when day_entries.position < previous_positions.previous_position then 'up'
            when day_entries.position > previous_positions.previous_position then 'down'
            else 'same'
        end as movement,

        -- numerics
        cast(day_entries.position as integer) as position,
        cast(previous_positions.previous_position as integer) as previous_position,

        -- dates
        day_entries.observed_date,

        -- timestamps
        day_entries.observed_at

    from day_entries
    left join previous_positions
        on
        day_entries.playlist_id = previous_positions.playlist_id
        and day_entries.observed_date = previous_positions.observed_date
        and day_entries.item_key = previous_positions.item_key
    inner join item_first_dates
        on
        day_entries.playlist_id = item_first_dates.playlist_id
        and day_entries.item_key = item_first_dates.item_key

)

select * from final
