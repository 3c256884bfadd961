-- One row per playlist × snapshot: the playlist object of GET /playlists/{id}, latest
-- observation of each snapshot, with the time it was first observed. The first page of
-- entries the object may embed (`tracks` or `items`) is ignored: entries come from
-- playlist_entries.

with

source as (

    select * from {{ source('spotify', 'playlists') }}

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

        -- numerics
        {{ json_integer('payload', 'followers.total') }} as followers_total,

        -- booleans
        {{ json_boolean('payload', 'public') }} as is_public,
        {{ json_boolean('payload', 'collaborative') }} as is_collaborative,

        -- timestamps
        observed_at,
        min(observed_at) over (partition by playlist_id, snapshot_id) as first_observed_at,
        {{ load_id_to_timestamp('_dlt_load_id') }} as loaded_at

    from source

),

deduplicated as (

    select * from renamed
    qualify row_number() over (
        partition by playlist_id, snapshot_id
        order by observed_at desc, loaded_at desc
    ) = 1

),

final as (

    select * from deduplicated

)

select * from final
