-- One row per playlist × snapshot: when it was first and last seen (kept apart: an
-- unchanged snapshot is seen again every day), how many entries the playlist object
-- declared and how many were landed.

{{ config(materialized='table') }}

with

sightings as (

    select * from {{ ref('int_playlist_sightings') }}

),

snapshot_entries as (

    select * from {{ ref('int_playlist_snapshot_entries') }}

),

spans as (

    select
        playlist_id,
        snapshot_id,
        count(*) as sightings,
        min(observed_at) as first_observed_at,
        max(observed_at) as last_observed_at

    from sightings
    group by playlist_id, snapshot_id

),

declared as (

    select
        playlist_id,
        snapshot_id,
        entries_total
    from sightings
    where entries_total is not null
    qualify row_number() over (
        partition by playlist_id, snapshot_id
        order by observed_at desc, lake_file desc
    ) = 1

),

loaded as (

    select
        playlist_id,
        snapshot_id,
        count(*) as entries_loaded

    from snapshot_entries
    group by playlist_id, snapshot_id

),

final as (

    select
        -- ids
        spans.playlist_id,
        spans.snapshot_id,

        -- numerics
        spans.sightings,
        declared.entries_total as entries_declared,
        coalesce(loaded.entries_loaded, 0) as entries_loaded,

        -- booleans
        -- the day's chart is known when the entries were landed, or the playlist is empty
        (coalesce(loaded.entries_loaded, 0) > 0 or declared.entries_total = 0) as has_entries,

        -- timestamps
        spans.first_observed_at,
        spans.last_observed_at

    from spans
    left join declared
        on
        spans.playlist_id = declared.playlist_id
        and spans.snapshot_id = declared.snapshot_id
    left join loaded
        on
        spans.playlist_id = loaded.playlist_id
        and spans.snapshot_id = loaded.snapshot_id

)

select * from final
