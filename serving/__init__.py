"""Serving: what readers (Tableau, notebooks, the DuckDB CLI) see of the marts.

    warehouse.duckdb ──(green dbt build)──▶ serving.duckdb (schema `marts`)
                                              ├──▶ DuckDB CLI, notebooks, Tableau's DuckDB source
                                              └──▶ tableau/spotify_marts.hyper + .twbx + .tds

The pipeline writes only warehouse.duckdb; readers open only serving.duckdb, which
is replaced whole (a temp file swapped in with os.replace), so a reader never blocks
a run and never sees a half-built state.
"""
