-- One row per playlist × observation day (UTC): the grain of history. The snapshot a
-- day shows is the latest one seen that day whose entries are known (observed_at, then
-- load order). A day without a row is unknown, not a day the songs left the playlist:
-- each observation is compared with the previous observation, however many days before.

{{ config(materialized='table') }}

with

sightings as (

    select * from {{ ref('int_playlist_sightings') }}

),

snapshots as (

    select * from {{ ref('int_playlist_snapshots') }}

),

known_sightings as (

    select sightings.*
    from sightings
    inner join snapshots
        on
        sightings.playlist_id = snapshots.playlist_id
        and sightings.snapshot_id = snapshots.snapshot_id
    where snapshots.has_entries

),

daily as (

    select * from known_sightings
    qualify row_number() over (
        partition by playlist_id, observed_date
        order by observed_at desc, lake_file desc, snapshot_id desc
    ) = 1

),

sequenced as (

    select
        -- ids
        playlist_id,
        snapshot_id,
        lag(snapshot_id) over (
            partition by playlist_id order by observed_date
        ) as previous_snapshot_id,

        -- numerics
        row_number() over (
            partition by playlist_id order by observed_date
        ) as observation_number,

        -- dates
        observed_date,
        lag(observed_date) over (
            partition by playlist_id order by observed_date
        ) as previous_observed_date,
        lead(observed_date) over (
            partition by playlist_id order by observed_date
        ) as next_observed_date,

        -- timestamps
        observed_at

    from daily

),

final as (

    select
        *,
        next_observed_date is null as is_latest_observation
    from sequenced

)

select * from final
