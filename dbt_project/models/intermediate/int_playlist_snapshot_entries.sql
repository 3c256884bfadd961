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

{#- The staged entries are read in several CTEs below, each by name rather than through
    one `entries as (select * …)` CTE: DuckDB materializes a CTE referenced more than
    once, here a year of staged entries with every column (12 s a day). -#}
{%- set entries = ref('stg_spotify__playlist_entries') %}

with

-- Which record of each entry wins is decided on narrow columns; only the winners are
-- then read whole. Incremental: the snapshots with rows of new loads are ranked again
-- over all their records; a winner from the new loads is read from them (a few row
-- groups, found by load id), a winner from an earlier load (an archive of older
-- observations imported later) from all the entries: reading every row of a year of
-- entries to find a day's winners took 6 s a day.
{% if is_incremental() %}
new_records as (

    select * from {{ entries }}
    where {{ rows_of_new_loads('load_id') }}

),

changed_snapshots as (

    select distinct
        playlist_id,
        snapshot_id
    from new_records

),

candidates as (

    select
        entries.playlist_id,
        entries.snapshot_id,
        entries.position,
        entries.lake_file,
        entries.observed_at,
        entries.load_id
    from {{ entries }} as entries
    inner join changed_snapshots
        on
        entries.playlist_id = changed_snapshots.playlist_id
        and entries.snapshot_id = changed_snapshots.snapshot_id

),
{% else %}
new_records as (

    select * from {{ entries }}

),

candidates as (

    select
        playlist_id,
        snapshot_id,
        position,
        lake_file,
        observed_at,
        load_id
    from {{ entries }}

),
{% endif %}

winning_records as (

    select
        playlist_id,
        snapshot_id,
        position,
        lake_file,
        load_id as winner_load_id,
        max(load_id) over (
            partition by playlist_id, snapshot_id, position
        ) as last_load_id
    from candidates
    qualify row_number() over (
        partition by playlist_id, snapshot_id, position
        order by observed_at desc, lake_file desc
    ) = 1

),

-- usually none: a winner from an earlier load is read again from all the entries
earlier_winners as (

    select * from winning_records
    {% if is_incremental() %}
    where not ({{ rows_of_new_loads('winner_load_id') }})
    {% else %}
    -- a full refresh reads every record once, through new_records
    where 1 = 0
    {% endif %}

),

ranked as (

    select
        new_records.*,
        winning_records.last_load_id
    from new_records
    inner join winning_records
        on
        new_records.playlist_id = winning_records.playlist_id
        and new_records.snapshot_id = winning_records.snapshot_id
        and new_records.position = winning_records.position
        and new_records.lake_file = winning_records.lake_file

    union all

    select
        entries.*,
        earlier_winners.last_load_id
    from {{ entries }} as entries
    inner join earlier_winners
        on
        entries.playlist_id = earlier_winners.playlist_id
        and entries.snapshot_id = earlier_winners.snapshot_id
        and entries.position = earlier_winners.position
        and entries.lake_file = earlier_winners.lake_file

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

)

select * from final
