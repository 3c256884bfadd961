-- The DuckDB-native baseline: the project's seven marts from the lake files in one script,
-- with the same rules (latest observation wins, full objects before embedded ones), so
-- the row counts must equal the project's. `{lake}` is the lake folder. Each lake line is
-- parsed once (json_extract of several paths).

create table entries_raw as
select
    json_extract_string(fields[1], '$') as playlist_id,
    json_extract_string(fields[2], '$') as snapshot_id,
    (json_extract_string(fields[3], '$'))::bigint as position,
    (json_extract_string(fields[4], '$'))::timestamptz as observed_at,
    filename as lake_file,
    coalesce(nullif(fields[5], 'null'::json), nullif(fields[6], 'null'::json)) as item,
    (json_extract_string(fields[7], '$'))::boolean as entry_is_local
from (
    select
        json_extract(json, [
            '$.playlist_id', '$.snapshot_id', '$.position', '$.observed_at',
            '$.payload.item', '$.payload.track', '$.payload.is_local'
        ]) as fields,
        filename
    from read_json_objects(
        '{lake}/spotify/playlist_entries/*/*.jsonl', format = 'newline_delimited', filename = true
    )
);

create table entries as
select
    playlist_id,
    snapshot_id,
    position,
    observed_at,
    lake_file,
    json_extract_string(item, '$.id') as item_id,
    case
        when item is null then 'unavailable'
        when coalesce(entry_is_local, false) or coalesce((json_extract_string(item, '$.is_local'))::boolean, false)
            then 'local'
        when json_extract_string(item, '$.type') = 'episode' then 'episode'
        when coalesce(json_extract_string(item, '$.type'), 'track') = 'track' and json_extract_string(item, '$.id') is not null
            then 'track'
        else 'unavailable'
    end as item_type,
    item
from entries_raw
qualify row_number() over (
    partition by playlist_id, snapshot_id, position order by observed_at desc, lake_file desc
) = 1;

create table tracks as
select
    item_id as track_id,
    json_extract(item, '$.album') as album,
    json_extract(item, '$.artists') as artists,
    observed_at,
    lake_file
from entries
where item_type = 'track'
qualify row_number() over (
    partition by item_id
    order by observed_at desc, lake_file desc, playlist_id, snapshot_id, position
) = 1;

create table fetched_albums as
select
    json_extract_string(fields[1], '$') as album_id,
    fields[3] as artists,
    (json_extract_string(fields[2], '$'))::timestamptz as observed_at,
    filename as lake_file
from (
    select json_extract(json, ['$.album_id', '$.observed_at', '$.payload.artists']) as fields, filename
    from read_json_objects(
        '{lake}/spotify/albums/*/*.jsonl', format = 'newline_delimited', filename = true
    )
)
qualify row_number() over (partition by album_id order by observed_at desc, lake_file desc) = 1;

create table fetched_artists as
select distinct json_extract_string(json, '$.artist_id') as artist_id
from read_json_objects('{lake}/spotify/artists/*/*.jsonl', format = 'newline_delimited');

create table playlist_ids as
select distinct json_extract_string(json, '$.playlist_id') as playlist_id
from read_json_objects('{lake}/spotify/playlists/*/*.jsonl', format = 'newline_delimited');

create table albums as
select album_id, artists
from (
    select album_id, artists, true as has_full_object, observed_at, lake_file
    from fetched_albums
    union all
    select json_extract_string(album, '$.id'), json_extract(album, '$.artists'), false, observed_at, lake_file
    from tracks
)
where album_id is not null
qualify row_number() over (
    partition by album_id order by has_full_object desc, observed_at desc, lake_file desc
) = 1;

create table song_artists as
select distinct tracks.track_id, json_extract_string(artist.value, '$.id') as artist_id
from tracks, json_each(tracks.artists) as artist
where json_extract_string(artist.value, '$.id') is not null;

create table album_artists as
select distinct albums.album_id, json_extract_string(artist.value, '$.id') as artist_id
from albums, json_each(albums.artists) as artist
where json_extract_string(artist.value, '$.id') is not null;

create table artists as
select artist_id from song_artists
union
select artist_id from album_artists
union
select artist_id from fetched_artists where artist_id is not null;

create table playlists as
select playlist_id from playlist_ids
union
select distinct playlist_id from entries;

create table mart_rows as
select 'albums' as mart, count(*) as row_count from albums
union all select 'artists', count(*) from artists
union all select 'songs', count(*) from tracks
union all select 'song_artists', count(*) from song_artists
union all select 'album_artists', count(*) from album_artists
union all select 'playlists', count(*) from playlists
union all select 'playlist_entries', count(*) from entries;
