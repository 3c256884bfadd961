-- One row per artist: the full artist object of GET /artists/{id}, latest
-- observation. popularity, followers and genres are missing from 2026 responses.

with

source as (

    select * from {{ source('spotify', 'artists') }}

),

renamed as (

    select
        -- ids
        artist_id,
        _dlt_load_id as load_id,

        -- strings
        {{ json_text('payload', 'name') }} as artist_name,
        {{ json_string_array_to_text('payload', 'genres') }} as genres,
        {{ json_text('payload', 'external_urls.spotify') }} as spotify_url,

        -- numerics
        {{ json_integer('payload', 'popularity') }} as popularity,
        {{ json_integer('payload', 'followers.total') }} as followers_total,

        -- timestamps
        observed_at,
        {{ load_id_to_timestamp('_dlt_load_id') }} as loaded_at

    from source

),

deduplicated as (

    select * from renamed
    qualify row_number() over (
        partition by artist_id
        order by observed_at desc, loaded_at desc
    ) = 1

),

final as (

    select * from deduplicated

)

select * from final
