"""The warehouse: where the raw tables load (DuckDB or Snowflake, by dbt target).

destinations.py picks dlt's destination for a target; load.py loads the lake;
snowflake_setup.sql creates the Snowflake objects, roles and grants once.
"""
