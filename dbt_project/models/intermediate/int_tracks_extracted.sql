-- One row per track with a Spotify id, extracted once from the playlist entry that saw
-- it last (latest observed_at, then load order). Local files, episodes and removed
-- tracks are not tracks here. The embedded album comes typed from staging; the artists
-- stay JSON for the models that unnest them. A table: the marts and their tests read it
-- several times. The latest entry of each track is chosen on its keys alone and then
-- read whole: a window over the whole rows of a year of entries spills and takes 10x.

{{ config(materialized='table') }}

{#- Read by name in two CTEs, not through one `select *` CTE: DuckDB materializes a CTE
    referenced twice, here a year of entries with every column. -#}
{%- set snapshot_entries = ref('int_playlist_snapshot_entries') %}

with

snapshots as (

    select * from {{ ref('int_playlist_snapshots') }}

),

track_entries as (

    select
        playlist_id,
        snapshot_id,
        position,
        item_id,
        observed_at,
        lake_file

    from {{ snapshot_entries }}
    where item_type = 'track'

),

-- the last time any snapshot holding the track was seen (an unchanged snapshot's
-- entries are not fetched again, the snapshot is)
last_sightings as (

    select
        track_entries.item_id as track_id,
        max(snapshots.last_observed_at) as last_observed_at

    from track_entries
    inner join snapshots
        on
        track_entries.playlist_id = snapshots.playlist_id
        and track_entries.snapshot_id = snapshots.snapshot_id
    group by track_entries.item_id

),

latest_entries as (

    select
        playlist_id,
        snapshot_id,
        position

    from track_entries
    qualify row_number() over (
        partition by item_id
        order by
            observed_at desc, lake_file desc, playlist_id asc, snapshot_id asc, position asc
    ) = 1

),

latest_observations as (

    select snapshot_entries.*

    from {{ snapshot_entries }} as snapshot_entries
    inner join latest_entries
        on
        snapshot_entries.playlist_id = latest_entries.playlist_id
        and snapshot_entries.snapshot_id = latest_entries.snapshot_id
        and snapshot_entries.position = latest_entries.position

),

extracted as (

    select
        -- ids
        latest_observations.item_id as track_id,
        latest_observations.album_id,

        -- strings
        latest_observations.item_name as track_name,
        latest_observations.isrc,
        latest_observations.spotify_url,
        latest_observations.lake_file,

        -- numerics
        latest_observations.duration_ms,
        latest_observations.disc_number,
        latest_observations.track_number,
        latest_observations.popularity,

        -- booleans
        latest_observations.is_explicit,

        -- timestamps
        latest_observations.observed_at,
        coalesce(last_sightings.last_observed_at, latest_observations.observed_at)
            as last_observed_at,

        -- semi-structured
        latest_observations.album_name,
        latest_observations.album_type,
        latest_observations.album_release_date_text,
        latest_observations.album_release_date_precision,
        latest_observations.album_spotify_url,
        latest_observations.album_total_tracks,
        latest_observations.album_artists_payload,
        latest_observations.artists_payload

    from latest_observations
    left join last_sightings
        on latest_observations.item_id = last_sightings.track_id

),

final as (

    select * from extracted

)

select * from final
