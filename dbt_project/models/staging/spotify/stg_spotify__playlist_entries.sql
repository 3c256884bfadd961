-- One row per raw entry record: playlist × snapshot × position × lake file, typed once
-- (an incremental table: each load's rows are parsed once, not on every query). Reads
-- both API shapes: the legacy entry's `track`, the 2026 entry's `item`, or both (real
-- 2026 responses carry both keys); `item` wins where both are present. Records of the
-- same key from several lake files all stay here; int_playlist_snapshot_entries keeps one.
-- The item is read here into typed columns (the track's album too); only the two artist
-- arrays stay JSON, for the models that unnest them. No window here: the load puts each
-- lake file in the raw table once (ingestion/warehouse/bulk_load.py) and a key is unique
-- within a lake file, as the uniqueness test checks, so this is a streaming projection
-- that holds no more memory for a year of history than for a day.

{{
    config(
        materialized='incremental',
        unique_key=['playlist_id', 'snapshot_id', 'position', 'lake_file'],
    )
}}

-- The entry's JSON is parsed once, into just these paths (see macros/json_parsed.sql);
-- the item's are read under both keys of the two API shapes.
{%- set item_paths = [
    'id', 'type', 'name', 'uri', 'external_urls.spotify', 'external_ids.isrc',
    'disc_number', 'track_number', 'popularity', 'duration_ms', 'is_local', 'explicit',
    'album.id', 'album.name', 'album.album_type', 'album.release_date',
    'album.release_date_precision', 'album.external_urls.spotify', 'album.total_tracks',
] %}
{%- set item_json_paths = ['artists', 'album.artists'] %}
{%- set entry_paths = ['added_at', 'added_by.id', 'is_local'] %}
{%- set entry_json_paths = [] %}
{%- for key in ['item', 'track'] %}
{%- for path in item_paths %}{% do entry_paths.append(key ~ '.' ~ path) %}{% endfor %}
{%- for path in item_json_paths %}
{%- do entry_json_paths.append(key ~ '.' ~ path) %}
{%- endfor %}
{%- endfor %}

with

source as (

    select * from {{ source('spotify', 'playlist_entries') }}
    {% if is_incremental() %}
    where {{ rows_of_new_loads() }}
    {% endif %}

),

parsed as (

    select
        source.*,
        {{ json_parse('payload', entry_paths, entry_json_paths) }} as entry

    from source

),

items as (

    select
        parsed.*,
        coalesce(
            {{ parsed_object('entry', 'item') }},
            {{ parsed_object('entry', 'track') }}
        ) as item_payload

    from parsed

),

renamed as (

    select
        -- ids
        playlist_id,
        snapshot_id,
        {{ parsed_text('item_payload', 'id') }} as item_id,
        nullif({{ parsed_text('entry', 'added_by.id') }}, '') as added_by_id,
        _dlt_load_id as load_id,

        -- strings
        {{ parsed_text('item_payload', 'type') }} as api_item_type,
        {{ parsed_text('item_payload', 'name') }} as item_name,
        {{ parsed_text('item_payload', 'uri') }} as item_uri,
        {{ parsed_text('item_payload', 'external_urls.spotify') }} as spotify_url,
        lake_file,

        -- track details (null for episodes, local files and removed tracks)
        {{ parsed_text('item_payload', 'external_ids.isrc') }} as isrc,
        {{ parsed_integer('item_payload', 'disc_number') }} as disc_number,
        {{ parsed_integer('item_payload', 'track_number') }} as track_number,
        {{ parsed_integer('item_payload', 'popularity') }} as popularity,

        -- the track's album, as embedded in the track
        {{ parsed_text('item_payload', 'album.id') }} as album_id,
        {{ parsed_text('item_payload', 'album.name') }} as album_name,
        {{ parsed_text('item_payload', 'album.album_type') }} as album_type,
        {{ parsed_text('item_payload', 'album.release_date') }} as album_release_date_text,
        {{ parsed_text('item_payload', 'album.release_date_precision') }}
            as album_release_date_precision,
        {{ parsed_text('item_payload', 'album.external_urls.spotify') }} as album_spotify_url,
        {{ parsed_integer('item_payload', 'album.total_tracks') }} as album_total_tracks,

        -- numerics
        position,
        {{ parsed_integer('item_payload', 'duration_ms') }} as duration_ms,

        -- booleans
        (
            coalesce({{ parsed_boolean('entry', 'is_local') }}, false)
            or coalesce({{ parsed_boolean('item_payload', 'is_local') }}, false)
        ) as is_local,
        {{ parsed_boolean('item_payload', 'explicit') }} as is_explicit,
        item_payload is null as has_no_item,

        -- timestamps
        {{ iso_timestamp(parsed_text('entry', 'added_at')) }} as added_at,
        observed_at,
        {{ load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- semi-structured: the credited artists of the track and of its album
        {{ parsed_object('item_payload', 'artists') }} as artists_payload,
        {{ parsed_object('item_payload', 'album.artists') }} as album_artists_payload

    from items

),

classified as (

    select
        *,
        case
            when has_no_item then 'unavailable'
            when is_local then 'local'
            when api_item_type = 'episode' then 'episode'
            when coalesce(api_item_type, 'track') = 'track' and item_id is not null then 'track'
            when coalesce(api_item_type, 'track') = 'track' then 'unavailable'
            -- an unknown type passes through, so the accepted_values test flags it
            else api_item_type
        end as item_type

    from renamed

),

final as (

    select
        -- ids
        playlist_id,
        snapshot_id,
        item_id,
        added_by_id,
        load_id,

        -- strings
        item_type,
        api_item_type,
        item_name,
        item_uri,
        spotify_url,
        lake_file,

        -- track details
        isrc,
        disc_number,
        track_number,
        popularity,

        -- the track's album
        album_id,
        album_name,
        album_type,
        album_release_date_text,
        album_release_date_precision,
        album_spotify_url,
        album_total_tracks,

        -- numerics
        position,
        duration_ms,

        -- booleans
        is_local,
        is_explicit,

        -- timestamps
        added_at,
        observed_at,
        loaded_at,

        -- semi-structured
        artists_payload,
        album_artists_payload

    from classified

)

select * from final
