-- One row per raw album record (album × lake file), typed once (an incremental table):
-- the full album object of GET /albums/{id}. Every record stays here; the album marts keep the
-- latest (int_albums_deduplicated). label and popularity are missing from 2026 responses.

{{
    config(
        materialized='incremental',
        unique_key=['album_id', 'lake_file'],
    )
}}

with

source as (

    select * from {{ source('spotify', 'albums') }}
    {% if is_incremental() %}
    where {{ rows_of_new_loads() }}
    {% endif %}

),

renamed as (

    select
        -- ids
        album_id,
        _dlt_load_id as load_id,

        -- strings
        {{ json_text('payload', 'name') }} as album_name,
        {{ json_text('payload', 'album_type') }} as album_type,
        {{ json_text('payload', 'release_date') }} as release_date_text,
        {{ json_text('payload', 'release_date_precision') }} as release_date_precision,
        {{ json_text('payload', 'label') }} as label,
        {{ json_text('payload', 'external_urls.spotify') }} as spotify_url,
        lake_file,

        -- numerics
        {{ json_integer('payload', 'total_tracks') }} as total_tracks,
        {{ json_integer('payload', 'popularity') }} as popularity,

        -- timestamps
        observed_at,
        {{ load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- semi-structured: the album's simplified artist objects
        {{ json_object('payload', 'artists') }} as artists_payload

    from source

),

deduplicated as (

    select * from renamed
    qualify row_number() over (
        partition by album_id, lake_file
        order by load_id desc
    ) = 1

),

final as (

    select * from deduplicated

)

select * from final
