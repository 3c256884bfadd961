-- Bridge between songs and artists: the artists credited on each song, in the
-- API's order (position 0 = the primary artist).

with

track_artists as (

    select * from {{ ref('int_track_artists_unnested') }}

),

final as (

    select
        -- ids
        track_id as song_id,
        artist_id,

        -- numerics
        artist_position,

        -- booleans
        artist_position = 0 as is_primary_artist

    from track_artists

)

select * from final
