-- One row per raw album record (album × lake file), typed once (an incremental table):
-- the full album object of GET /albums/{id}. Every record stays here; the album marts keep the
-- latest (int_albums_deduplicated). label and popularity are missing from 2026 responses.
-- No window: a key is unique within a lake file, loaded once (see the entries model).

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

-- The album's JSON (~7 kB: it embeds a page of its tracks) is parsed once, into these
-- paths (macros/json_parsed.sql).
parsed as (

    select
        source.*,
        {{ json_parse('payload', [
            'name', 'album_type', 'release_date', 'release_date_precision', 'label',
            'external_urls.spotify', 'total_tracks', 'popularity',
        ], ['artists']) }} as album

    from source

),

renamed as (

    select
        -- ids
        album_id,
        _dlt_load_id as load_id,

        -- strings
        {{ parsed_text('album', 'name') }} as album_name,
        {{ parsed_text('album', 'album_type') }} as album_type,
        {{ parsed_text('album', 'release_date') }} as release_date_text,
        {{ parsed_text('album', 'release_date_precision') }} as release_date_precision,
        {{ parsed_text('album', 'label') }} as label,
        {{ parsed_text('album', 'external_urls.spotify') }} as spotify_url,
        lake_file,

        -- numerics
        {{ parsed_integer('album', 'total_tracks') }} as total_tracks,
        {{ parsed_integer('album', 'popularity') }} as popularity,

        -- timestamps
        observed_at,
        {{ load_id_to_timestamp('_dlt_load_id') }} as loaded_at,

        -- semi-structured: the album's simplified artist objects
        {{ parsed_object('album', 'artists') }} as artists_payload

    from parsed

),

final as (

    select * from renamed

)

select * from final
