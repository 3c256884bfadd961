-- Every song (a track with a Spotify id) that appeared in a playlist, one row per
-- song. Local files and podcast episodes are not songs.

with

tracks as (

    select * from {{ ref('int_tracks_extracted') }}

),

final as (

    select
        -- ids
        track_id as song_id,
        album_id,

        -- strings
        track_name as song_name,
        isrc,
        spotify_url,

        -- numerics
        duration_ms,
        disc_number,
        track_number,
        popularity,

        -- booleans
        is_explicit,

        -- timestamps
        last_observed_at

    from tracks

)

select * from final
