"""Ingestion: the dlt source for the Spotify Web API, the raw lake, and the warehouse load."""

import os

# No phoning home: the pipeline must run on machines without internet access.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
