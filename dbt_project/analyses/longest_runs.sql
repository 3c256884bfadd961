-- The longest stays of a song on a playlist, in observation days, with their peak and
-- whether they are still going on.

with

runs as (

    select * from {{ ref('song_playlist_runs') }}

),

songs as (

    select * from {{ ref('songs') }}

),

playlists as (

    select * from {{ ref('playlists') }}

),

final as (

    select
        playlists.playlist_name,
        songs.song_name,
        runs.run_number,
        runs.days_on,
        runs.first_observed_date,
        runs.last_observed_date,
        runs.entry_position,
        runs.peak_position,
        runs.is_current
    from runs
    inner join songs
        on runs.song_id = songs.song_id
    inner join playlists
        on runs.playlist_id = playlists.playlist_id

)

select * from final
order by days_on desc, peak_position asc, song_name asc
limit 20
