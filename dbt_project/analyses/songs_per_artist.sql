-- The tutorials' second Athena question: how many songs each artist has. Counted
-- through the song_artists bridge, so featured artists count too, and every artist
-- is listed: "Various Artists" (an album artist of compilations, never credited on
-- a song) shows 0 instead of becoming a blank name at the top of the list.

with

artists as (

    select * from {{ ref('artists') }}

),

song_artists as (

    select * from {{ ref('song_artists') }}

),

final as (

    select
        artists.artist_id,
        artists.artist_name,
        count(song_artists.song_id) as songs,
        count(case when song_artists.is_primary_artist then song_artists.song_id end)
            as songs_as_primary_artist
    from artists
    left join song_artists
        on artists.artist_id = song_artists.artist_id
    group by artists.artist_id, artists.artist_name

)

select * from final
order by songs desc, artist_name asc
