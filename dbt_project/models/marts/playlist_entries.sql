-- The history of playlist membership: one row per playlist × snapshot × position,
-- for every snapshot the pipeline observed.

with

entries as (

    select * from {{ ref('stg_spotify__playlist_entries') }}

),

final as (

    select
        -- ids
        {{ generate_surrogate_key(['playlist_id', 'snapshot_id', 'position']) }}
            as playlist_entry_id,
        playlist_id,
        snapshot_id,
        case when item_type = 'track' then item_id end as song_id,
        case when item_type = 'episode' then item_id end as episode_id,
        added_by_id,

        -- strings
        item_type,
        item_name,
        item_uri,

        -- numerics
        position,
        duration_ms,

        -- booleans
        is_local,

        -- timestamps
        added_at,
        observed_at

    from entries

)

select * from final
