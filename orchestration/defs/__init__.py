"""Dagster orchestration: the asset graph, its schedule, lake sensor, retries and alerts.

Modules: resources (Settings → resources), assets (the graph), jobs, schedules,
sensors (new lake files), alerts (run failures), definitions (`defs`).
Nothing is imported here, so that importing a module does not load the
definitions (which run `dbt parse` when the manifest is missing).
"""
