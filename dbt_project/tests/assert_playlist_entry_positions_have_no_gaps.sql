{{ config(severity='warn') }}
-- Within a snapshot, positions run 0 … n-1. A gap means a page of entries was
-- not loaded (an interrupted extract); the marts are still built, hence a warning.

with

entries as (

    select * from {{ ref('playlist_entries') }}

),

snapshots as (

    select
        playlist_id,
        snapshot_id,
        count(*) as entries_loaded,
        min(position) as first_position,
        max(position) as last_position

    from entries
    group by playlist_id, snapshot_id

),

final as (

    select * from snapshots
    where
        first_position != 0
        or last_position + 1 != entries_loaded

)

select * from final
