-- Each playlist as it was at its latest observation, one wide row per entry, with the
-- song, its album and all its credited artists: the table a BI tool reads as is.

with

observations as (

    select * from {{ ref('int_playlist_observations') }}

),

chart_days as (

    select * from {{ ref('playlist_chart_days') }}

),

playlists as (

    select * from {{ ref('playlists') }}

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

snapshot_entries as (

    select * from {{ ref('int_playlist_snapshot_entries') }}

),

latest_observations as (

    select * from observations
    where is_latest_observation

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
        -- ids
        latest_observations.playlist_id,
        latest_observations.snapshot_id,
        chart_days.song_id,
        songs.album_id,

        -- strings
        playlists.playlist_name,
        chart_days.item_type,
        chart_days.item_name,
        songs.song_name,
        credits.artist_names,
        albums.album_name,
        chart_days.movement,

        -- numerics
        chart_days.position,
        chart_days.previous_position,
        snapshot_entries.duration_ms,

        -- booleans
        snapshot_entries.is_explicit,

        -- dates
        latest_observations.observed_date,
        albums.release_date,

        -- timestamps
        snapshot_entries.added_at

    from latest_observations
    inner join chart_days
        on
        latest_observations.playlist_id = chart_days.playlist_id
        and latest_observations.observed_date = chart_days.observed_date
    inner join snapshot_entries
        on
        chart_days.playlist_id = snapshot_entries.playlist_id
        and chart_days.snapshot_id = snapshot_entries.snapshot_id
        and chart_days.position = snapshot_entries.position + 1
    left join playlists
        on latest_observations.playlist_id = playlists.playlist_id
    left join songs
        on chart_days.song_id = songs.song_id
    left join albums
        on songs.album_id = albums.album_id
    left join credits
        on chart_days.song_id = credits.song_id

)

select * from final
