-- The history of playlist membership: one row per playlist × snapshot × position,
-- for every snapshot the pipeline observed, with the first and the last time the
-- snapshot was seen. Positions stay 0-based here, as the API gives them;
-- playlist_chart_days has the day-by-day, 1-based view.

{{
    config(
        materialized='incremental',
        unique_key=['playlist_id', 'snapshot_id', 'position'],
    )
}}

with

snapshot_entries as (

    select * from {{ ref('int_playlist_snapshot_entries') }}

),

snapshots as (

    select * from {{ ref('int_playlist_snapshots') }}

),

-- snapshots seen again since the last build: their last sighting moves on
recent_snapshots as (

    select * from snapshots
    {%- if is_incremental() %}
    where
        last_observed_at >= (
            select {{ dbt.dateadd('day', '-' ~ var('history_lookback_days'), 'max(observed_at)') }}
            from {{ this }}
        )
    {%- endif %}

),

final as (

    select
        -- ids
        {{ generate_surrogate_key([
            'snapshot_entries.playlist_id', 'snapshot_entries.snapshot_id', 'snapshot_entries.position'
        ]) }} as playlist_entry_id,
        snapshot_entries.playlist_id,
        snapshot_entries.snapshot_id,
        snapshot_entries.song_id,
        snapshot_entries.episode_id,
        snapshot_entries.added_by_id,

        -- strings
        snapshot_entries.item_type,
        snapshot_entries.item_name,
        snapshot_entries.item_uri,

        -- numerics
        snapshot_entries.position,
        snapshot_entries.duration_ms,

        -- booleans
        snapshot_entries.is_local,

        -- timestamps
        snapshot_entries.added_at,
        recent_snapshots.first_observed_at,
        recent_snapshots.last_observed_at as observed_at

    from snapshot_entries
    inner join recent_snapshots
        on
        snapshot_entries.playlist_id = recent_snapshots.playlist_id
        and snapshot_entries.snapshot_id = recent_snapshots.snapshot_id

)

select * from final
