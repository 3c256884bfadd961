-- Every playlist observed, in its latest state, one row per playlist. A playlist
-- known only from its entries (raw archives imported without the playlist
-- object) has null name, owner and flags.

with

playlist_objects as (

    select * from {{ ref('stg_spotify__playlists') }}

),

sightings as (

    select * from {{ ref('int_playlist_sightings') }}

),

observation_spans as (

    -- a snapshot fetched on several days was first seen on the first of them
    select
        playlist_id,
        count(distinct snapshot_id) as snapshots_observed,
        min(observed_at) as first_observed_at,
        max(observed_at) as last_observed_at

    from sightings
    group by playlist_id

),

latest_snapshots as (

    select
        playlist_id,
        snapshot_id

    from sightings
    qualify row_number() over (
        partition by playlist_id
        order by observed_at desc, lake_file desc, snapshot_id desc
    ) = 1

),

latest_playlist_objects as (

    select * from playlist_objects
    qualify row_number() over (
        partition by playlist_id
        order by observed_at desc, lake_file desc
    ) = 1

),

final as (

    select
        -- ids
        observation_spans.playlist_id,
        latest_snapshots.snapshot_id,
        latest_playlist_objects.owner_id,

        -- strings
        latest_playlist_objects.playlist_name,
        latest_playlist_objects.description,
        latest_playlist_objects.owner_name,
        latest_playlist_objects.spotify_url,

        -- numerics
        latest_playlist_objects.followers_total,
        observation_spans.snapshots_observed,

        -- booleans
        latest_playlist_objects.is_public,
        latest_playlist_objects.is_collaborative,

        -- timestamps
        observation_spans.first_observed_at,
        observation_spans.last_observed_at

    from observation_spans
    inner join latest_snapshots
        on observation_spans.playlist_id = latest_snapshots.playlist_id
    left join latest_playlist_objects
        on observation_spans.playlist_id = latest_playlist_objects.playlist_id

)

select * from final
