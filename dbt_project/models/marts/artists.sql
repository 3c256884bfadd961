-- Every artist seen on a song, credited on an album, or fetched in full, one row
-- per artist. The full object (GET /artists/{id}) wins where present; otherwise
-- the latest simplified object embedded in a track or album.

with

track_artists as (

    select * from {{ ref('int_track_artists_unnested') }}

),

album_artists as (

    select * from {{ ref('int_album_artists_unnested') }}

),

fetched_artists as (

    select * from {{ ref('stg_spotify__artists') }}

),

-- the simplified artist objects embedded in tracks and albums
credited_artists as (

    select
        artist_id,
        artist_name,
        spotify_url,
        observed_at,
        lake_file
    from track_artists

    union all

    select
        artist_id,
        artist_name,
        spotify_url,
        observed_at,
        lake_file
    from album_artists

),

sightings as (

    select
        artist_id,
        artist_name,
        cast(null as {{ dbt.type_string() }}) as genres,
        spotify_url,
        cast(null as {{ dbt.type_bigint() }}) as popularity,
        cast(null as {{ dbt.type_bigint() }}) as followers_total,
        false as has_full_object,
        observed_at,
        lake_file
    from credited_artists

    union all

    select
        artist_id,
        artist_name,
        genres,
        spotify_url,
        popularity,
        followers_total,
        true as has_full_object,
        observed_at,
        lake_file
    from fetched_artists

),

last_observations as (

    select
        artist_id,
        max(observed_at) as last_observed_at

    from sightings
    group by artist_id

),

best_sightings as (

    select * from sightings
    where artist_id is not null
    qualify row_number() over (
        partition by artist_id
        order by has_full_object desc, observed_at desc, lake_file desc, artist_name asc
    ) = 1

),

final as (

    select
        -- ids
        best_sightings.artist_id,

        -- strings
        best_sightings.artist_name,
        best_sightings.genres,
        best_sightings.spotify_url,

        -- numerics
        best_sightings.popularity,
        best_sightings.followers_total,

        -- booleans
        best_sightings.has_full_object,

        -- timestamps
        last_observations.last_observed_at

    from best_sightings
    inner join last_observations
        on best_sightings.artist_id = last_observations.artist_id

)

select * from final
