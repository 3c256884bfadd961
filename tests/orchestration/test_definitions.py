"""The definitions load, and their asset graph is one line from the API to every mart."""

import importlib

from dagster import AssetKey, Backoff, Definitions

from ingestion.raw_tables import RAW_TABLES
from orchestration.defs.assets import EXTRACT_RETRY_POLICY, LAKE, RAW, SPOTIFY_API

JOB_NAMES = ("extract_job", "load_and_transform_job", "elt_job")
MARTS = ("albums", "artists", "songs", "song_artists", "album_artists", "playlists")


def _ancestors(defs: Definitions, key: AssetKey) -> set[AssetKey]:
    graph = defs.resolve_asset_graph()
    seen: set[AssetKey] = set()
    todo = [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_module_defs_load_and_resolve_every_job(defs: Definitions) -> None:
    # The code location `dagster dev -m orchestration.defs.definitions` loads.
    module = importlib.import_module("orchestration.defs.definitions")
    for definitions in (module.defs, defs):
        Definitions.validate_loadable(definitions)
        for name in JOB_NAMES:
            assert definitions.resolve_job_def(name).name == name
        assert definitions.resolve_schedule_def("daily_extract").job_name == "extract_job"
        assert definitions.resolve_sensor_def("new_lake_files").job_name == (
            "load_and_transform_job"
        )
        assert definitions.resolve_sensor_def("alert_on_run_failure")


def test_dbt_sources_are_the_loading_assets(defs: Definitions) -> None:
    graph = defs.resolve_asset_graph()
    load = defs.get_assets_def(RAW["playlists"])
    assert set(load.keys) == {AssetKey(["raw_spotify", table]) for table in RAW_TABLES}
    assert graph.get(LAKE).parent_keys == {SPOTIFY_API}
    for table, key in RAW.items():
        assert graph.get(key).parent_keys == {LAKE}
        staging = AssetKey(["staging", f"stg_spotify__{table}"])
        assert graph.get(staging).parent_keys == {key}, "dbt source ≠ loading asset"
        assert graph.get(staging).is_materializable


def test_every_mart_descends_from_the_api_through_lake_and_raw(defs: Definitions) -> None:
    for mart in MARTS:
        ancestors = _ancestors(defs, AssetKey(["marts", mart]))
        assert {SPOTIFY_API, LAKE} <= ancestors, mart
        assert ancestors & set(RAW.values()), mart
    songs = _ancestors(defs, AssetKey(["marts", "songs"]))
    assert {
        RAW["playlist_entries"],
        AssetKey(["staging", "stg_spotify__playlist_entries"]),
        AssetKey(["intermediate", "int_tracks_extracted"]),
    } <= songs


def test_dbt_tests_are_asset_checks(defs: Definitions) -> None:
    checks = {
        key.name
        for key in defs.resolve_asset_graph().asset_check_keys
        if key.asset_key == AssetKey(["marts", "songs"])
    }
    assert {"unique_songs_song_id", "not_null_songs_song_id"} <= checks


def test_extraction_retries_with_exponential_backoff() -> None:
    module = importlib.import_module("orchestration.defs.definitions")
    policy = module.defs.get_assets_def(LAKE).op.retry_policy
    assert policy == EXTRACT_RETRY_POLICY
    assert policy.max_retries >= 2
    assert policy.backoff == Backoff.EXPONENTIAL
