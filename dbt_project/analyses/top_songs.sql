-- The tutorials' first Athena question: the top songs with their album and artist
-- names. Here "top" is the playlist's own order in its latest snapshot (the chart
-- rank for Top 50 Global), and every credited artist is listed, featured ones
-- included, where the tutorials kept only the album's first artist.
--
--   dbt compile --select top_songs --vars '{top_songs_playlist_id: 37i9dQZEVXbMDoHDwVN2tF}'
--   then run target/compiled/spotify_elt/analyses/top_songs.sql

with

playlists as (

    select * from {{ ref('playlists') }}

),

entries as (

    select * from {{ ref('playlist_entries') }}

),

songs as (

    select * from {{ ref('songs') }}

),

albums as (

    select * from {{ ref('albums') }}

),

song_artists as (

    select * from {{ ref('song_artists') }}

),

artists as (

    select * from {{ ref('artists') }}

),

latest_entries as (

    select entries.*
    from entries
    inner join playlists
        on entries.playlist_id = playlists.playlist_id
        and entries.snapshot_id = playlists.snapshot_id
    where
        entries.playlist_id = '{{ var("top_songs_playlist_id", "37i9dQZEVXbMDoHDwVN2tF") }}'
        and entries.item_type = 'track'

),

credits as (

    select
        song_artists.song_id,
        {{ listagg("artists.artist_name", "', '", "order by song_artists.artist_position") }}
            as artist_names
    from song_artists
    inner join artists
        on song_artists.artist_id = artists.artist_id
    group by song_artists.song_id

),

final as (

    select
        latest_entries.position + 1 as chart_rank,
        songs.song_name,
        credits.artist_names,
        albums.album_name,
        albums.release_date,
        songs.is_explicit
    from latest_entries
    inner join songs
        on latest_entries.song_id = songs.song_id
    inner join albums
        on songs.album_id = albums.album_id
    inner join credits
        on songs.song_id = credits.song_id

)

select * from final
order by chart_rank
