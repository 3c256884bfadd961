-- One row per raw artist record (artist × lake file), typed once (an incremental table):
-- the full artist object of GET /artists/{id}. Every record stays here; the artist marts keep the
-- latest (artists). popularity, followers and genres are missing from 2026 responses.
-- No window: a key is unique within a lake file, loaded once (see the entries model).

{{
    config(
        materialized='incremental',
        unique_key=['artist_id', 'lake_file'],
    )
}}

with

source as (

    select * from {{ source('spotify', 'artists') }}
    {% if is_incremental() %}
    where {{ rows_of_new_loads() }}
    {% endif %}

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
        lake_file,

        -- numerics
        {{ json_integer('payload', 'popularity') }} as popularity,
        {{ json_integer('payload', 'followers.total') }} as followers_total,

        -- timestamps
        observed_at,
        {{ load_id_to_timestamp('_dlt_load_id') }} as loaded_at

    from source

),

final as (

    select * from renamed

)

select * from final
