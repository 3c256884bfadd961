-- One row per track with a Spotify id, extracted from the playlist entries it
-- appears in (latest observation). Local files, episodes and removed tracks are
-- not tracks here. The embedded album and artists stay JSON for the models that
-- unnest them.

with

entries as (

    select * from {{ ref('stg_spotify__playlist_entries') }}

),

track_entries as (

    select * from entries
    where item_type = 'track'

),

latest_observations as (

    select * from track_entries
    qualify row_number() over (
        partition by item_id
        order by observed_at desc, loaded_at desc, playlist_id asc, snapshot_id asc, position asc
    ) = 1

),

extracted as (

    select
        -- ids
        item_id as track_id,
        {{ json_text('item_payload', 'album.id') }} as album_id,

        -- strings
        item_name as track_name,
        {{ json_text('item_payload', 'external_ids.isrc') }} as isrc,
        spotify_url,

        -- numerics
        duration_ms,
        {{ json_integer('item_payload', 'disc_number') }} as disc_number,
        {{ json_integer('item_payload', 'track_number') }} as track_number,
        {{ json_integer('item_payload', 'popularity') }} as popularity,

        -- booleans
        is_explicit,

        -- timestamps
        observed_at,
        loaded_at,

        -- semi-structured
        {{ json_object('item_payload', 'album') }} as album_payload,
        {{ json_object('item_payload', 'artists') }} as artists_payload

    from latest_observations

),

final as (

    select * from extracted

)

select * from final
