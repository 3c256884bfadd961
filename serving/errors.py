"""Errors of the serving layer, in the project's hierarchy (ingestion/errors.py)."""

from ingestion.errors import ConfigurationError, SpotifyEltError


class WarehouseBusyError(SpotifyEltError):
    """Another process holds the DuckDB warehouse file open; the run cannot write."""

    def __init__(self, path: str, holder: str | None, waited_seconds: float) -> None:
        self.path = path
        self.holder = holder
        self.waited_seconds = waited_seconds
        who = holder or "another process"
        super().__init__(
            f"{path} is held open by {who} (waited {waited_seconds:g} s): close it and run "
            "again; readers should open serving.duckdb or the Tableau extract instead."
        )


class ServingFileError(SpotifyEltError):
    """The serving file could not be published (the previous one is left in place)."""


class MissingExtraError(ConfigurationError):
    """An optional dependency group is not installed."""

    def __init__(self, extra: str, package: str) -> None:
        self.extra = extra
        self.package = package
        super().__init__(
            f"{package} is not installed: install the optional group `{extra}` with "
            f"`uv sync --extra {extra}` (or `pip install 'spotify-elt[{extra}]'`) and run again."
        )


class TableauExportError(SpotifyEltError):
    """The Tableau extract or workbook could not be written."""
