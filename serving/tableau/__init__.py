"""Tableau on the marts: a Hyper extract, a packaged workbook and .tds data sources.

    serving.duckdb ──▶ spotify_marts.hyper   every mart, schema "Extract", Tableau types
                   ──▶ spotify_marts.twbx    the extract + a .twb with three sheets
    (connections)  ──▶ spotify_marts_snowflake.tds, spotify_marts_duckdb.tds (live)

`spotify-elt export tableau` writes them into <data dir>/tableau/ (export.py).
"""
