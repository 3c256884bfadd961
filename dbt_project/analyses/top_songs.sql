-- The tutorials' first Athena question: the top songs with their album and artist
-- names. Here "top" is the playlist's own order at its latest observation (the chart
-- rank for Top 50 Global), and every credited artist is listed, featured ones
-- included, where the tutorials kept only the album's first artist. Every observed
-- playlist by default; one with the var:
--
--   dbt compile --select top_songs --vars '{top_songs_playlist_id: 37i9dQZEVXbMDoHDwVN2tF}'
--   then run target/compiled/spotify_elt/analyses/top_songs.sql

with

current_tracks as (

    select * from {{ ref('playlist_current_tracks') }}

),

final as (

    select
        position as chart_rank,
        song_name,
        artist_names,
        album_name,
        release_date,
        is_explicit,
        playlist_name,
        playlist_id
    from current_tracks
    where
        item_type = 'track'
        {%- if var("top_songs_playlist_id", none) %}
        and playlist_id = '{{ var("top_songs_playlist_id") }}'
        {%- endif %}

)

select * from final
order by chart_rank, playlist_id
