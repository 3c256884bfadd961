-- One row per album: the full album object of GET /albums/{id}, latest
-- observation. label and popularity are missing from 2026 responses.

with

source as (

    select * from {{ source('spotify', 'albums') }}

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
        partition by album_id
        order by observed_at desc, loaded_at desc
    ) = 1

),

final as (

    select * from deduplicated

)

select * from final
