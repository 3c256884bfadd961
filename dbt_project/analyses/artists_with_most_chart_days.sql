-- The artists with the most chart days: playlist × observation days on which at least
-- one song credits them (as any of its artists), with their best position ever.

with

artist_days as (

    select * from {{ ref('artist_playlist_days') }}

),

final as (

    select
        artist_id,
        artist_name,
        count(*) as chart_days,
        count(distinct playlist_id) as playlists,
        max(songs_on_playlist) as most_songs_on_a_day,
        min(best_position) as best_position
    from artist_days
    group by artist_id, artist_name

)

select * from final
order by chart_days desc, best_position asc, artist_name asc
limit 20
