-- song_id is set exactly for songs and episode_id exactly for episodes: local
-- files, episodes and removed tracks never count as songs.

with

entries as (

    select * from {{ ref('playlist_entries') }}

),

final as (

    select * from entries
    where
        (item_type = 'track') != (song_id is not null)
        or (item_type = 'episode') != (episode_id is not null)

)

select * from final
