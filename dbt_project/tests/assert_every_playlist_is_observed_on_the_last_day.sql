{{ config(severity='warn') }}
-- Coverage of the last run day, per playlist: a playlist the pipeline's runs observed
-- before but not on the day of the latest run (its extraction failed, or it was dropped
-- from the configuration), or whose entries dropped sharply since its previous
-- observation (more than half of them: a truncated extraction, or a real purge worth a
-- look). Runs are the extractions from the API (lake files under spotify/); imported
-- archives (imports/) are history of other days, not runs. A warning: the marts are
-- still right, the history has a gap.

with

observations as (

    select * from {{ ref('int_playlist_observations') }}

),

snapshots as (

    select * from {{ ref('int_playlist_snapshots') }}

),

sightings as (

    select * from {{ ref('int_playlist_sightings') }}

),

run_sightings as (

    select * from sightings
    where lake_file not like 'imports/%'

),

last_run_day as (

    select max(observed_date) as observed_date from run_sightings

),

last_run_sightings as (

    select
        playlist_id,
        max(observed_date) as last_observed_date
    from run_sightings
    group by playlist_id

),

latest as (

    select * from observations
    where is_latest_observation

),

not_seen_on_the_last_day as (

    select
        last_run_sightings.playlist_id,
        last_run_sightings.last_observed_date,
        'not observed on the last run day' as problem
    from last_run_sightings
    cross join last_run_day
    where last_run_sightings.last_observed_date < last_run_day.observed_date

),

sizes as (

    select
        latest.playlist_id,
        latest.observed_date as last_observed_date,
        current_snapshots.entries_loaded as entries_now,
        previous_snapshots.entries_loaded as entries_before
    from latest
    inner join snapshots as current_snapshots
        on
        latest.playlist_id = current_snapshots.playlist_id
        and latest.snapshot_id = current_snapshots.snapshot_id
    inner join snapshots as previous_snapshots
        on
        latest.playlist_id = previous_snapshots.playlist_id
        and latest.previous_snapshot_id = previous_snapshots.snapshot_id

),

dropped_sharply as (

    select
        playlist_id,
        last_observed_date,
        'entries dropped by more than half since the previous observation' as problem
    from sizes
    where entries_now * 2 < entries_before

),

final as (

    select * from not_seen_on_the_last_day
    union all
    select * from dropped_sharply

)

select * from final
