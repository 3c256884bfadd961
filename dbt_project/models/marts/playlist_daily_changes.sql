-- One row per playlist × observation day: what changed since the previous observation
-- of the playlist (however many days before). Items are compared by identity (song,
-- episode, local file) at their best position. The first observation of a playlist
-- counts every item as added.

{{
    config(
        materialized='incremental',
        unique_key=['playlist_id', 'observed_date'],
    )
}}

with

observations as (

    select * from {{ ref('int_playlist_observations') }}

),

snapshot_entries as (

    select * from {{ ref('int_playlist_snapshot_entries') }}

),

new_observations as (

    select * from observations
    {% if is_incremental() %}
    where {{ within_lookback('observed_date') }}
    {% endif %}

),

-- many days compare the same two snapshots: count each pair once
snapshot_pairs as (

    select distinct
        playlist_id,
        previous_snapshot_id,
        snapshot_id
    from new_observations

),

-- the snapshots compared, before and after: on a daily run a few hundred of a year's
compared_snapshots as (

    select
        playlist_id,
        snapshot_id
    from snapshot_pairs
    union
    select
        playlist_id,
        previous_snapshot_id as snapshot_id
    from snapshot_pairs

),

snapshot_items as (

    select
        snapshot_entries.playlist_id,
        snapshot_entries.snapshot_id,
        snapshot_entries.item_key,
        min(snapshot_entries.position) as position

    from snapshot_entries
    inner join compared_snapshots
        on
        snapshot_entries.playlist_id = compared_snapshots.playlist_id
        and snapshot_entries.snapshot_id = compared_snapshots.snapshot_id
    group by snapshot_entries.playlist_id, snapshot_entries.snapshot_id, snapshot_entries.item_key

),

compared as (

    select
        snapshot_pairs.playlist_id,
        snapshot_pairs.previous_snapshot_id,
        snapshot_pairs.snapshot_id,
        after_items.position as position_after,
        before_items.position as position_before

    from snapshot_pairs
    inner join snapshot_items as after_items
        on
        snapshot_pairs.playlist_id = after_items.playlist_id
        and snapshot_pairs.snapshot_id = after_items.snapshot_id
    left join snapshot_items as before_items
        on
        snapshot_pairs.playlist_id = before_items.playlist_id
        and snapshot_pairs.previous_snapshot_id = before_items.snapshot_id
        and after_items.item_key = before_items.item_key

    union all

    -- items of the previous snapshot that are gone
    select
        snapshot_pairs.playlist_id,
        snapshot_pairs.previous_snapshot_id,
        snapshot_pairs.snapshot_id,
        null as position_after,
        before_items.position as position_before

    from snapshot_pairs
    inner join snapshot_items as before_items
        on
        snapshot_pairs.playlist_id = before_items.playlist_id
        and snapshot_pairs.previous_snapshot_id = before_items.snapshot_id
    left join snapshot_items as after_items
        on
        snapshot_pairs.playlist_id = after_items.playlist_id
        and snapshot_pairs.snapshot_id = after_items.snapshot_id
        and before_items.item_key = after_items.item_key
    where after_items.item_key is null

),

pair_changes as (

    select
        playlist_id,
        previous_snapshot_id,
        snapshot_id,
        count(case when position_before is null then 1 end) as added,
        count(case when position_after is null then 1 end) as removed,
        count(case when position_after != position_before then 1 end) as moved,
        count(case when position_after = position_before then 1 end) as unchanged

    from compared
    group by playlist_id, previous_snapshot_id, snapshot_id

),

final as (

    select
        -- ids
        new_observations.playlist_id,
        new_observations.previous_snapshot_id as snapshot_id_before,
        new_observations.snapshot_id as snapshot_id_after,

        -- numerics
        cast(coalesce(pair_changes.added, 0) as integer) as added,
        cast(coalesce(pair_changes.removed, 0) as integer) as removed,
        cast(coalesce(pair_changes.moved, 0) as integer) as moved,
        cast(coalesce(pair_changes.unchanged, 0) as integer) as unchanged,

        -- dates
        new_observations.observed_date,
        new_observations.previous_observed_date

    from new_observations
    left join pair_changes
        on
        new_observations.playlist_id = pair_changes.playlist_id
        and new_observations.snapshot_id = pair_changes.snapshot_id
        -- the first observation has no previous snapshot
        and coalesce(new_observations.previous_snapshot_id, '')
        = coalesce(pair_changes.previous_snapshot_id, '')

)

select * from final
