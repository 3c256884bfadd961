"""Jobs: what the schedule, the lake sensor and a person at the UI start."""

from dagster import AssetSelection, define_asset_job

from orchestration.defs.assets import LAKE

# The EventBridge rule's half: API → lake only. New lake files then start the rest.
extract_job = define_asset_job(
    "extract_job",
    selection=AssetSelection.assets(LAKE),
    description="Extract: Spotify API → lake (the daily schedule runs it).",
)

# The S3 put trigger's half: everything downstream of the lake, dbt tests included.
load_and_transform_job = define_asset_job(
    "load_and_transform_job",
    selection=AssetSelection.assets(LAKE).downstream(include_self=False),
    description="Load the lake into raw_spotify, then dbt build (the lake sensor runs it).",
)

# What `spotify-elt run` does, in one run.
elt_job = define_asset_job(
    "elt_job",
    selection=AssetSelection.assets(LAKE).downstream(),
    description="Extract → load → dbt build, like `spotify-elt run`.",
)

JOBS = [extract_job, load_and_transform_job, elt_job]
