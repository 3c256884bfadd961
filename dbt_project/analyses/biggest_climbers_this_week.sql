-- The songs that climbed most over the last seven days of each playlist: their
-- position at the playlist's latest observation against their position at its first
-- observation of the week (a song that entered during the week climbs from there).

with

chart_days as (

    select * from {{ ref('playlist_chart_days') }}

),

songs as (

    select * from {{ ref('songs') }}

),

playlists as (

    select * from {{ ref('playlists') }}

),

latest_days as (

    select
        playlist_id,
        max(observed_date) as latest_date
    from chart_days
    group by playlist_id

),

week as (

    select
        chart_days.playlist_id,
        chart_days.song_id,
        chart_days.observed_date,
        chart_days.position,
        latest_days.latest_date
    from chart_days
    inner join latest_days
        on chart_days.playlist_id = latest_days.playlist_id
    where
        chart_days.song_id is not null
        and chart_days.observed_date > latest_days.latest_date - 7

),

positions as (

    select
        playlist_id,
        song_id,
        min(observed_date) as week_first_date,
        min(case when observed_date = latest_date then position end) as position_now
    from week
    group by playlist_id, song_id

),

climbs as (

    select
        positions.playlist_id,
        positions.song_id,
        positions.week_first_date,
        positions.position_now,
        min(week.position) as position_then
    from positions
    inner join week
        on
        positions.playlist_id = week.playlist_id
        and positions.song_id = week.song_id
        and positions.week_first_date = week.observed_date
    where positions.position_now is not null
    group by
        positions.playlist_id,
        positions.song_id,
        positions.week_first_date,
        positions.position_now

),

final as (

    select
        playlists.playlist_name,
        songs.song_name,
        climbs.position_then,
        climbs.position_now,
        climbs.position_then - climbs.position_now as places_climbed,
        climbs.week_first_date
    from climbs
    inner join songs
        on climbs.song_id = songs.song_id
    inner join playlists
        on climbs.playlist_id = playlists.playlist_id
    where climbs.position_then > climbs.position_now

)

select * from final
order by places_climbed desc, song_name asc
limit 20
