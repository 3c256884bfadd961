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
        album_id,

        -- strings
        album_name,
        album_type,
        album_release_date_text as release_date_text,
        album_release_date_precision as release_date_precision,
        cast(null as {{ dbt.type_string() }}) as label,
        album_spotify_url as spotify_url,

        -- numerics
        album_total_tracks as total_tracks,
        cast(null as {{ dbt.type_bigint() }}) as popularity,

        -- booleans
        false as has_full_object,

        -- timestamps
        observed_at,
        lake_file,

        -- semi-structured
        album_artists_payload as artists_payload

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
