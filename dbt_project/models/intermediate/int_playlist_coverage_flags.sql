-- Coverage of the last run day, one row per flagged playlist × flag: a playlist the
-- pipeline's runs observed before but not on the day of the latest run (its extraction
-- failed, or it was dropped from the configuration), or whose entries dropped sharply
-- since its previous observation (below half: a truncated extraction, or a real purge
-- worth a look). Runs are the extractions from the API (lake files under spotify/);
-- imported archives (imports/) are history of other days, not runs. Read by the test
-- assert_every_playlist_is_observed_on_the_last_day (a warning) and by the `coverage`
-- line of `spotify-elt run`.

with

playlist_objects as (

    select * from {{ ref('stg_spotify__playlists') }}

),

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

    select max(observed_date) as last_run_date from run_sightings

),

last_run_sightings as (

    select
        playlist_id,
        max(observed_date) as last_observed_date
    from run_sightings
    group by playlist_id

),

playlist_names as (

    select
        playlist_id,
        playlist_name
    from playlist_objects
    qualify row_number() over (
        partition by playlist_id order by observed_at desc, lake_file desc
    ) = 1

),

not_observed as (

    select
        last_run_sightings.playlist_id,
        'not_observed_on_last_run_day' as flag,
        cast(null as {{ dbt.type_bigint() }}) as entries_now,
        cast(null as {{ dbt.type_bigint() }}) as entries_before,
        last_run_sightings.last_observed_date
    from last_run_sightings
    cross join last_run_day
    where last_run_sightings.last_observed_date < last_run_day.last_run_date

),

sizes as (

    select
        observations.playlist_id,
        observations.observed_date as last_observed_date,
        current_snapshots.entries_loaded as entries_now,
        previous_snapshots.entries_loaded as entries_before
    from observations
    inner join snapshots as current_snapshots
        on
        observations.playlist_id = current_snapshots.playlist_id
        and observations.snapshot_id = current_snapshots.snapshot_id
    inner join snapshots as previous_snapshots
        on
        observations.playlist_id = previous_snapshots.playlist_id
        and observations.previous_snapshot_id = previous_snapshots.snapshot_id
    where observations.is_latest_observation

),

dropped_sharply as (

    select
        playlist_id,
        'entries_dropped_sharply' as flag,
        entries_now,
        entries_before,
        last_observed_date
    from sizes
    where entries_now * 2 < entries_before

),

flags as (

    select * from not_observed
    union all
    select * from dropped_sharply

),

final as (

    select
        -- ids
        flags.playlist_id,

        -- strings
        playlist_names.playlist_name,
        flags.flag,

        -- numerics
        flags.entries_now,
        flags.entries_before,

        -- dates
        flags.last_observed_date,
        last_run_day.last_run_date

    from flags
    cross join last_run_day
    left join playlist_names
        on flags.playlist_id = playlist_names.playlist_id

)

select * from final
