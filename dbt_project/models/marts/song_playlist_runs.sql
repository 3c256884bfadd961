-- One row per continuous stay of a song on a playlist: the observations in a row on
-- which the song was there. A day without an observation does not end a stay (it is
-- unknown); the first observation without the song does (exit_date). A table, not an
-- incremental model: the current stay of every song changes with each new day.

with

chart_days as (

    select * from {{ ref('playlist_chart_days') }}

),

observations as (

    select * from {{ ref('int_playlist_observations') }}

),

-- a song listed twice on a day counts once, at its best position
song_days as (

    select
        chart_days.playlist_id,
        chart_days.song_id,
        chart_days.observed_date,
        observations.observation_number,
        min(chart_days.position) as position

    from chart_days
    inner join observations
        on
        chart_days.playlist_id = observations.playlist_id
        and chart_days.observed_date = observations.observed_date
    where chart_days.song_id is not null
    group by
        chart_days.playlist_id,
        chart_days.song_id,
        chart_days.observed_date,
        observations.observation_number

),

-- consecutive observations share observation_number - row_number (gaps and islands)
islands as (

    select
        *,
        observation_number - row_number() over (
            partition by playlist_id, song_id order by observation_number
        ) as island

    from song_days

),

run_spans as (

    select
        playlist_id,
        song_id,
        island,
        min(observed_date) as first_observed_date,
        max(observed_date) as last_observed_date,
        max(observation_number) as last_observation_number,
        count(*) as days_on,
        min(position) as peak_position

    from islands
    group by playlist_id, song_id, island

),

run_details as (

    select
        run_spans.playlist_id,
        run_spans.song_id,
        run_spans.island,
        min(
            case
                when islands.observed_date = run_spans.first_observed_date then islands.position
            end
        )
            as entry_position,
        min(case when islands.position = run_spans.peak_position then islands.observed_date end)
            as peak_first_date

    from run_spans
    inner join islands
        on
        run_spans.playlist_id = islands.playlist_id
        and run_spans.song_id = islands.song_id
        and run_spans.island = islands.island
    group by run_spans.playlist_id, run_spans.song_id, run_spans.island

),

final as (

    select
        -- ids
        run_spans.playlist_id,
        run_spans.song_id,

        -- numerics
        cast(row_number() over (
            partition by run_spans.playlist_id, run_spans.song_id
            order by run_spans.first_observed_date
        ) as integer) as run_number,
        cast(run_details.entry_position as integer) as entry_position,
        cast(run_spans.peak_position as integer) as peak_position,
        cast(run_spans.days_on as integer) as days_on,

        -- booleans
        exits.observed_date is null as is_current,

        -- dates
        run_spans.first_observed_date,
        run_spans.last_observed_date,
        run_details.peak_first_date,
        exits.observed_date as exit_date

    from run_spans
    inner join run_details
        on
        run_spans.playlist_id = run_details.playlist_id
        and run_spans.song_id = run_details.song_id
        and run_spans.island = run_details.island
    -- the observation after the last one with the song: the day it was seen gone
    left join observations as exits
        on
        run_spans.playlist_id = exits.playlist_id
        and run_spans.last_observation_number + 1 = exits.observation_number

)

select * from final
