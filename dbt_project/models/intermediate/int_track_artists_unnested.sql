-- One row per track × artist: the track's `artists` array unnested, its index
-- kept as the artist's position (0 = primary artist).

with

tracks as (

    select * from {{ ref('int_tracks_extracted') }}

),

unnested as (

    select
        -- ids
        tracks.track_id,
        {{ json_text('track_artist.value', 'id') }} as artist_id,

        -- strings
        {{ json_text('track_artist.value', 'name') }} as artist_name,
        {{ json_text('track_artist.value', 'external_urls.spotify') }} as spotify_url,

        -- numerics
        track_artist.index as artist_position,

        -- timestamps
        tracks.observed_at,
        tracks.lake_file

    from tracks
    {{ json_array_elements('tracks.artists_payload', '', 'track_artist') }}

),

deduplicated as (

    -- an artist listed twice on a track keeps its first position
    select * from unnested
    where artist_id is not null
    qualify row_number() over (
        partition by track_id, artist_id
        order by artist_position
    ) = 1

),

final as (

    select * from deduplicated

)

select * from final
