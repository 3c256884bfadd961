"""The raw lake: what the API returned, as JSON lines, partitioned by table and date.

layout.py knows the paths; writer.py lands source records; imports.py brings saved
API responses in. The warehouse reads the files back in bulk (ingestion/warehouse/).
"""

from ingestion.lake.layout import Lake

__all__ = ["Lake"]
