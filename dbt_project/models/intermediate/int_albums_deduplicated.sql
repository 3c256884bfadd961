-- One row per album: every album seen on a track (the simplified album object
-- embedded in it) or fetched in full (GET /albums/{id}). The full object wins
-- where present; otherwise the latest embedded one.

with

tracks as (

    select * from {{ ref('int_tracks_extracted') }}

),

fetched_albums as (

    select * from {{ ref('stg_spotify__albums') }}

),

embedded as (

    select
        -- ids
        {{ json_text('album_payload', 'id') }} as album_id,

        -- strings
        {{ json_text('album_payload', 'name') }} as album_name,
        {{ json_text('album_payload', 'album_type') }} as album_type,
        {{ json_text('album_payload', 'release_date') }} as release_date_text,
        {{ json_text('album_payload', 'release_date_precision') }} as release_date_precision,
        cast(null as {{ dbt.type_string() }}) as label,
        {{ json_text('album_payload', 'external_urls.spotify') }} as spotify_url,

        -- numerics
        {{ json_integer('album_payload', 'total_tracks') }} as total_tracks,
        cast(null as {{ dbt.type_bigint() }}) as popularity,

        -- booleans
        false as has_full_object,

        -- timestamps
        observed_at,
        lake_file,

        -- semi-structured
        {{ json_object('album_payload', 'artists') }} as artists_payload

    from tracks

),

fetched as (

    select
        -- ids
        album_id,

        -- strings
        album_name,
        album_type,
        release_date_text,
        release_date_precision,
        label,
        spotify_url,

        -- numerics
        total_tracks,
        popularity,

        -- booleans
        true as has_full_object,

        -- timestamps
        observed_at,
        lake_file,

        -- semi-structured
        artists_payload

    from fetched_albums

),

unioned as (

    select * from fetched
    union all
    select * from embedded

),

deduplicated as (

    select * from unioned
    where album_id is not null
    qualify row_number() over (
        partition by album_id
        order by has_full_object desc, observed_at desc, lake_file desc, album_name asc
    ) = 1

),

final as (

    select * from deduplicated

)

select * from final
