-- Every song credits at least one artist, at position 0.

with

songs as (

    select * from {{ ref('songs') }}

),

song_artists as (

    select * from {{ ref('song_artists') }}

),

primary_artists as (

    select song_id from song_artists
    where artist_position = 0

),

final as (

    select songs.song_id
    from songs
    left join primary_artists
        on songs.song_id = primary_artists.song_id
    where primary_artists.song_id is null

)

select * from final
