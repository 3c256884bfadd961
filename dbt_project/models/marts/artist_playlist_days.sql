-- One row per playlist × artist × observation day: how many of the day's songs credit
-- the artist (as any of the song's artists, through the song_artists bridge) and the
-- artist's best position that day.

{{
    config(
        materialized='incremental',
        unique_key=['playlist_id', 'artist_id', 'observed_date'],
    )
}}

with

chart_days as (

    select * from {{ ref('playlist_chart_days') }}

),

song_artists as (

    select * from {{ ref('song_artists') }}

),

artists as (

    select * from {{ ref('artists') }}

),

new_chart_days as (

    select * from chart_days
    {% if is_incremental() %}
    where {{ within_lookback('observed_date') }}
    {% endif %}

),

credited as (

    select
        new_chart_days.playlist_id,
        song_artists.artist_id,
        new_chart_days.observed_date,
        count(distinct new_chart_days.song_id) as songs_on_playlist,
        min(new_chart_days.position) as best_position

    from new_chart_days
    inner join song_artists
        on new_chart_days.song_id = song_artists.song_id
    group by new_chart_days.playlist_id, song_artists.artist_id, new_chart_days.observed_date

),

final as (

    select
        -- ids
        credited.playlist_id,
        credited.artist_id,

        -- strings
        artists.artist_name,

        -- numerics
        cast(credited.songs_on_playlist as integer) as songs_on_playlist,
        cast(credited.best_position as integer) as best_position,

        -- dates
        credited.observed_date

    from credited
    inner join artists
        on credited.artist_id = artists.artist_id

)

select * from final
