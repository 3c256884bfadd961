{{ config(severity='warn') }}
-- Every load id in the raw tables is a completed load in dlt's _dlt_loads
-- (status 0); otherwise rows of a failed or unfinished load are in the marts.

with

loads as (

    select * from {{ source('spotify', '_dlt_loads') }}

),

raw_load_ids as (

    select distinct
        _dlt_load_id as load_id,
        'playlists' as raw_table
    from {{ source('spotify', 'playlists') }}
    union all
    select distinct
        _dlt_load_id as load_id,
        'playlist_entries' as raw_table
    from {{ source('spotify', 'playlist_entries') }}
    union all
    select distinct
        _dlt_load_id as load_id,
        'artists' as raw_table
    from {{ source('spotify', 'artists') }}
    union all
    select distinct
        _dlt_load_id as load_id,
        'albums' as raw_table
    from {{ source('spotify', 'albums') }}

),

completed_loads as (

    select load_id from loads
    where status = 0

),

final as (

    select raw_load_ids.*
    from raw_load_ids
    left join completed_loads
        on raw_load_ids.load_id = completed_loads.load_id
    where completed_loads.load_id is null

)

select * from final
