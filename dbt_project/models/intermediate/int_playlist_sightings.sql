-- One row per playlist × snapshot × observed_at: every time the pipeline saw a
-- snapshot of a playlist, from the playlist object (fetched on every run, changed or
-- not) or from entries alone (raw archives imported without the playlist object).

{{ config(materialized='table') }}

with

playlist_objects as (

    select * from {{ ref('stg_spotify__playlists') }}

),

entries as (

    select * from {{ ref('stg_spotify__playlist_entries') }}

),

records as (

    select
        playlist_id,
        snapshot_id,
        lake_file,
        entries_total,
        observed_at
    from playlist_objects

    union all

    select distinct
        playlist_id,
        snapshot_id,
        lake_file,
        cast(null as {{ dbt.type_bigint() }}) as entries_total,
        observed_at
    from entries

),

final as (

    select
        -- ids
        playlist_id,
        snapshot_id,

        -- strings
        max(lake_file) as lake_file,

        -- numerics
        max(entries_total) as entries_total,

        -- dates
        {{ utc_date('observed_at') }} as observed_date,

        -- timestamps
        observed_at

    from records
    group by playlist_id, snapshot_id, observed_at

)

select * from final
