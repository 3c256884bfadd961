-- Every album seen on a song or fetched in full, one row per album, with its
-- release date as a date whatever its precision.

with

albums as (

    select * from {{ ref('int_albums_deduplicated') }}

),

final as (

    select
        -- ids
        album_id,

        -- strings
        album_name,
        album_type,
        release_date_precision,
        label,
        spotify_url,

        -- numerics
        total_tracks,
        popularity,

        -- booleans
        has_full_object,

        -- dates
        {{ release_date('release_date_text') }} as release_date,

        -- timestamps
        observed_at as last_observed_at

    from albums

)

select * from final
