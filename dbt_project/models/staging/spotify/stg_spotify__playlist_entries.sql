-- One row per raw entry record: playlist × snapshot × position × lake file, typed once
-- (an incremental table: each load's rows are parsed once, not on every query). Reads
-- both API shapes: the legacy entry's `track`, the 2026 entry's `item`, or both (real
-- 2026 responses carry both keys); `item` wins where both are present. Records of the
-- same key from several lake files all stay here; int_playlist_snapshot_entries keeps one.

{{
    config(
        materialized='incremental',
        unique_key=['playlist_id', 'snapshot_id', 'position', 'lake_file'],
    )
}}

with

source as (

    select * from {{ source('spotify', 'playlist_entries') }}
    {% if is_incremental() %}
    where {{ rows_of_new_loads() }}
    {% endif %}

),

items as (

    select
        source.*,
        coalesce(
            {{ json_object('payload', 'item') }},
            {{ json_object('payload', 'track') }}
        ) as item_payload

    from source

),

renamed as (

    select
        -- ids
        playlist_id,
        snapshot_id,
        {{ json_text('item_payload', 'id') }} as item_id,
        nullif({{ json_text('payload', 'added_by.id') }}, '') as added_by_id,
        _dlt_load_id as load_id,

        -- strings
        {{ json_text('item_payload', 'type') }} as api_item_type,
        {{ json_text('item_payload', 'name') }} as item_name,
        {{ json_text('item_payload', 'uri') }} as item_uri,
        {{ json_text('item_payload', 'external_urls.spotify') }} as spotify_url,
        lake_file,

        -- numerics
        position,
        {{ json_integer('item_payload', 'duration_ms') }} as duration_ms,

        -- booleans
        (
            coalesce({{ json_boolean('payload', 'is_local') }}, false)
            or coalesce({{ json_boolean('item_payload', 'is_local') }}, false)
        ) as is_local,
        {{ json_boolean('item_payload', 'explicit') }} as is_explicit,

        -- timestamps
        {{ iso_timestamp(json_text('payload', 'added_at')) }} as added_at,
        observed_at,
        {{ load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- semi-structured: the track or episode object, for the intermediate models
        item_payload

    from items

),

classified as (

    select
        *,
        case
            when item_payload is null then 'unavailable'
            when is_local then 'local'
            when api_item_type = 'episode' then 'episode'
            when coalesce(api_item_type, 'track') = 'track' and item_id is not null then 'track'
            when coalesce(api_item_type, 'track') = 'track' then 'unavailable'
            -- an unknown type passes through, so the accepted_values test flags it
            else api_item_type
        end as item_type

    from renamed

),

-- one row per key within this batch too (a key loaded twice in one run keeps its last load)
deduplicated as (

    select * from classified
    qualify row_number() over (
        partition by playlist_id, snapshot_id, position, lake_file
        order by load_id desc
    ) = 1

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
        item_payload

    from deduplicated

)

select * from final
