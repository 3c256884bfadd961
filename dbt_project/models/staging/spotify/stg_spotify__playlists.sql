-- One row per raw playlist record: playlist × snapshot × observation × lake file, typed
-- once (an incremental table). The first page of entries the object may embed (`tracks`
-- or `items`) is not read, only its `total`: entries come from playlist_entries.
-- No window: a key is unique within a lake file, loaded once (see the entries model).

{{
    config(
        materialized='incremental',
        unique_key=['playlist_id', 'snapshot_id', 'observed_at', 'lake_file'],
    )
}}

with

source as (

    select * from {{ source('spotify', 'playlists') }}
    {% if is_incremental() %}
    where {{ rows_of_new_loads() }}
    {% endif %}

),

renamed as (

    select
        -- ids
        playlist_id,
        snapshot_id,
        {{ json_text('payload', 'owner.id') }} as owner_id,
        _dlt_load_id as load_id,

        -- strings
        {{ json_text('payload', 'name') }} as playlist_name,
        {{ json_text('payload', 'description') }} as description,
        {{ json_text('payload', 'owner.display_name') }} as owner_name,
        {{ json_text('payload', 'external_urls.spotify') }} as spotify_url,
        lake_file,

        -- numerics
        {{ json_integer('payload', 'followers.total') }} as followers_total,
        coalesce(
            {{ json_integer('payload', 'items.total') }},
            {{ json_integer('payload', 'tracks.total') }}
        ) as entries_total,

        -- booleans
        {{ json_boolean('payload', 'public') }} as is_public,
        {{ json_boolean('payload', 'collaborative') }} as is_collaborative,

        -- timestamps
        observed_at,
        {{ load_id_to_timestamp('_dlt_load_id') }} as loaded_at

    from source

),

final as (

    select * from renamed

)

select * from final
