"""The raw lake: what the API returned, as JSON lines, partitioned by table and date.

layout.py knows the paths; writer.py lands source records; reader.py reads the
files back for the warehouse; imports.py brings saved API responses in.
"""

from ingestion.lake.layout import Lake

__all__ = ["Lake"]
