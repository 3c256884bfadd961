-- One row per album × artist: the album's `artists` array unnested, its index
-- kept as the artist's position. Compilations list "Various Artists" here, an
-- artist that appears on no track.

with

albums as (

    select * from {{ ref('int_albums_deduplicated') }}

),

unnested as (

    select
        -- ids
        albums.album_id,
        {{ json_text('album_artist.value', 'id') }} as artist_id,

        -- strings
        {{ json_text('album_artist.value', 'name') }} as artist_name,
        {{ json_text('album_artist.value', 'external_urls.spotify') }} as spotify_url,

        -- numerics
        album_artist.index as artist_position,

        -- timestamps
        albums.observed_at,
        albums.lake_file

    from albums
    {{ json_array_elements('albums.artists_payload', '', 'album_artist') }}

),

deduplicated as (

    -- an artist listed twice on an album keeps its first position
    select * from unnested
    where artist_id is not null
    qualify row_number() over (
        partition by album_id, artist_id
        order by artist_position
    ) = 1

),

final as (

    select * from deduplicated

)

select * from final
