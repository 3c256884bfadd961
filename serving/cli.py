"""`spotify-elt export …`: the serving layer's commands (added to orchestration/cli.py)."""

import sys
from pathlib import Path

import click

from ingestion.errors import SpotifyEltError
from orchestration.config import Settings


@click.group()
def export() -> None:
    """Export the marts for readers: `spotify-elt export tableau`."""


@export.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SPOTIFY_ELT_DATA_DIR",
    help="The pipeline's data directory [default: ./data].",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the files [default: <data dir>/tableau].",
)
def tableau(data_dir: Path | None, out: Path | None) -> None:
    """Every mart in one Hyper extract, a packaged workbook (.twbx) and live .tds sources."""
    from serving.tableau.export import export_tableau

    settings = Settings.resolve(data_dir)
    try:
        result = export_tableau(settings, out)
    except SpotifyEltError as error:
        click.echo(click.style("error: ", fg="red", bold=True) + str(error), err=True)
        sys.exit(1)
    rows = sum(table.rows for table in result.tables)
    lines = [
        f"extract    {result.hyper} ({len(result.tables)} marts, {rows} rows)",
    ]
    if result.workbook is not None:
        lines.append(f"workbook   {result.workbook} (sheets: {', '.join(result.sheets)})")
    for sheet, mart in result.skipped_sheets.items():
        lines.append(f"skipped    sheet {sheet!r}: no mart {mart} in the serving file")
    folders = sorted({str(path.parent) for path in result.data_sources})
    lines.append(f"live       {len(result.data_sources)} .tds in {', '.join(folders)}")
    click.echo("\n".join(lines))
