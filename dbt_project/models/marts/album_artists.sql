-- Bridge between albums and artists: the artists credited on each album, in the
-- API's order (position 0 = the primary artist).

with

album_artists as (

    select * from {{ ref('int_album_artists_unnested') }}

),

final as (

    select
        -- ids
        album_id,
        artist_id,

        -- numerics
        artist_position,

        -- booleans
        artist_position = 0 as is_primary_artist

    from album_artists

)

select * from final
