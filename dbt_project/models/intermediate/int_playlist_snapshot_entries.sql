-- One row per playlist × snapshot × position: the entries of every snapshot observed,
-- whenever they were landed (an unchanged snapshot's entries may have been fetched on
-- an earlier day only). Where several lake files hold the same entry, the record with
-- the latest observed_at wins, then the latest lake file (load order). Incremental:
-- only the snapshots with rows of new loads are looked at again, over all their rows.

{{
    config(
        materialized='incremental',
        unique_key=['playlist_id', 'snapshot_id', 'position'],
    )
}}

with

entries as (

    select * from {{ ref('stg_spotify__playlist_entries') }}

),

{% if is_incremental() %}
changed_snapshots as (

    select distinct
        entries.playlist_id,
        entries.snapshot_id
    from entries
    where entries.load_id > (select coalesce(max(built.load_id), '') from {{ this }} as built)

),

candidates as (

    select entries.*
    from entries
    inner join changed_snapshots
        on
        entries.playlist_id = changed_snapshots.playlist_id
        and entries.snapshot_id = changed_snapshots.snapshot_id

),
{% else %}
candidates as (

    select * from entries

),
{% endif %}

ranked as (

    select
        *,
        max(load_id) over (
            partition by playlist_id, snapshot_id, position
        ) as last_load_id,
        row_number() over (
            partition by playlist_id, snapshot_id, position
            order by observed_at desc, lake_file desc
        ) as record_rank
    from candidates

),

final as (

    select
        -- ids
        playlist_id,
        snapshot_id,
        item_id,
        case when item_type = 'track' then item_id end as song_id,
        case when item_type = 'episode' then item_id end as episode_id,
        -- what stays the same item from one snapshot to the next: the Spotify id, the
        -- local file's uri, or for a removed track (no id) the time it was added
        case
            when item_type in ('track', 'episode') then item_type || ':' || item_id
            when item_type = 'local' then coalesce(item_uri, 'local:' || item_name)
            else
                'unavailable:'
                || coalesce(
                    cast(added_at as {{ dbt.type_string() }}),
                    cast(position as {{ dbt.type_string() }})
                )
        end as item_key,
        added_by_id,
        last_load_id as load_id,

        -- strings
        item_type,
        api_item_type,
        item_name,
        item_uri,
        spotify_url,
        lake_file,

        -- numerics
        position,
        duration_ms,

        -- booleans
        is_local,
        is_explicit,

        -- timestamps
        added_at,
        observed_at,

        -- track details and the track's album
        isrc,
        disc_number,
        track_number,
        popularity,
        album_id,
        album_name,
        album_type,
        album_release_date_text,
        album_release_date_precision,
        album_spotify_url,
        album_total_tracks,

        -- semi-structured
        artists_payload,
        album_artists_payload

    from ranked
    where record_rank = 1

)

select * from final
