"""`spotify-elt`: the project's command line."""

import contextlib
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from ingestion.errors import (
    ConfigurationError,
    ExtractionIncompleteError,
    LoadIncompleteError,
    SpotifyEltError,
    TransformError,
)
from orchestration import freshness, steps
from orchestration.access import spotify_access
from orchestration.config import Settings, use_project_configuration
from orchestration.doctor import doctor_command
from orchestration.locking import exclusive_data_dir
from orchestration.mistakes import explain
from serving.cli import export

logger = logging.getLogger("spotify_elt")

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SPOTIFY_ELT_DATA_DIR",
    help="Where the lake, the DuckDB warehouse and dbt's output go [default: <project home>/data].",
)
mine_option = click.option(
    "--mine", is_flag=True, help="Also your own and collaborative playlists (GET /me/playlists)."
)
target_option = click.option(
    "--target",
    envvar="SPOTIFY_ELT_TARGET",
    help="dbt target: dev or ci (DuckDB), prod (Snowflake) [default: dev].",
)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(message)s",
        datefmt="%H:%M:%S",
        force=True,  # libraries imported earlier may have configured the root logger
    )
    # Keep our progress readable: the libraries' INFO chatter goes to their own logs.
    for noisy in ("dlt", "dbt", "urllib3", "fsspec", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # spotipy logs every HTTP error it raises; we report them once, with advice.
    logging.getLogger("spotipy").setLevel(logging.CRITICAL)
    dlt_logger = logging.getLogger("dlt")
    if verbose:
        dlt_logger.removeFilter(_not_a_traceback)
    else:  # a library's warning stays one line; -v shows its traceback
        for handler in logging.getLogger().handlers:
            handler.addFilter(_without_traceback)
        # dlt logs every failed or retried load job with its traceback (a full disk: dozens),
        # through a handler of its own (propagate off); the command reports the failure once.
        dlt_logger.addFilter(_not_a_traceback)


def _without_traceback(record: logging.LogRecord) -> bool:
    record.exc_info, record.exc_text, record.stack_info = None, None, None
    return True


def _not_a_traceback(record: logging.LogRecord) -> bool:
    return not record.exc_info and "Traceback (most recent call last)" not in record.getMessage()


class _Cli(click.Group):
    """Every failure is one sentence on stderr and exit code 1; `-v` adds the traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SpotifyEltError as error:
            if ctx.params.get("verbose"):
                logger.exception("%s", error)
            _fail(error)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if ctx.params.get("verbose"):
                raise
            if (known := explain(error)) is not None:
                _fail(known)
            _fail(
                SpotifyEltError(
                    f"unexpected {type(error).__name__}: {error} (run again with -v for the "
                    "traceback, and report it if the message does not say what to do)"
                )
            )
        return None


@click.group(cls=_Cli)
@click.option("-v", "--verbose", "--debug", is_flag=True, help="Debug logging and tracebacks.")
def main(verbose: bool) -> None:
    """A dbt-centred ELT pipeline for Spotify data: API → lake → warehouse → marts."""
    _setup_logging(verbose)
    # dlt reads <home>/.dlt, wherever the command is started from.
    use_project_configuration()


def _references(playlists: tuple[str, ...], mine: bool) -> list[str]:
    """--playlist values, plus `mine` with --mine (ingestion.spotify.references.MINE)."""
    return [*playlists, "mine"] if mine else list(playlists)


def _fail(error: SpotifyEltError) -> None:
    click.echo(click.style("error: ", fg="red", bold=True) + str(error), err=True)
    sys.exit(1)


def _locked_settings(
    data_dir: Path | None, target: str | None = None, wait_seconds: float = 0.0
) -> Settings:
    """This command's settings, holding the data directory for the whole command."""
    settings = Settings.resolve(data_dir, target)
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        (settings.data_dir / ".write-check").touch()
        (settings.data_dir / ".write-check").unlink()
    except OSError as error:
        raise ConfigurationError(
            f"Cannot use {settings.data_dir} as the data directory ({error.strerror}): give a "
            "writable folder with --data-dir or SPOTIFY_ELT_DATA_DIR."
        ) from None
    ctx = click.get_current_context()
    ctx.with_resource(
        exclusive_data_dir(settings.data_dir, ctx.info_name or "", wait_seconds=wait_seconds)
    )
    return settings


def _step(name: str) -> None:
    click.echo(click.style(f"==> {name}", fg="cyan", bold=True), err=True)


@main.command()
@data_dir_option
@target_option
@click.option(
    "--playlist", "playlists", multiple=True, help="Playlist URL, URI or id (repeatable)."
)
@mine_option
@click.option("--demo", is_flag=True, help="Use the local API replica even if credentials exist.")
@click.option("--no-docs", is_flag=True, help="Skip `dbt docs generate`.")
def run(
    data_dir: Path | None,
    target: str | None,
    playlists: tuple[str, ...],
    mine: bool,
    demo: bool,
    no_docs: bool,
) -> None:
    """Extract → lake → warehouse → dbt build → docs, with a summary at the end."""
    settings = _locked_settings(data_dir, target)
    try:
        steps.warehouse_destination(settings)  # a misconfigured warehouse fails before any API call
        freshness.reference_at()  # so does a malformed SPOTIFY_ELT_FRESHNESS_REFERENCE_AT
    except SpotifyEltError as error:
        _fail(error)
    started = time.monotonic()
    failed: list[str] = []
    extract_result = None
    with spotify_access(force_demo=demo, playlists=_references(playlists, mine)) as access:
        click.echo(f"spotify-elt run ({access.description}), data in {settings.data_dir}", err=True)
        _step("extract: API → lake")
        try:
            extract_result = steps.extract(
                settings, access.source_args, observed_at=access.observed_at
            )
        except ExtractionIncompleteError as error:
            extract_result = error.result
            if extract_result is None or extract_result.lake_files == 0:
                _fail(error)  # nothing landed: nothing to load or build
            failed.append(str(error))
        except SpotifyEltError as error:
            _fail(error)
        api_requests = access.server.request_count if access.server else None
    try:
        _step("load: lake → warehouse")
        try:
            load_result = steps.load(settings)
        except LoadIncompleteError as error:  # the rest loaded: build it, then exit 1
            load_result = error.result
            failed.append(str(error))
        # Exactly what was asked, or a failure: this run's own lake files must be loaded.
        missing = steps.not_loaded(settings, extract_result)
        if missing:
            failed.append(_missing_message(missing))
        _step("freshness: dbt source freshness on the observation time")
        fresh = freshness.check_freshness(settings)
        failed.extend(source.error_sentence() for source in fresh.errors)
        _step("transform: dbt build + docs")
        try:
            transform_result = steps.transform(settings, docs=not no_docs)
        except TransformError as error:
            transform_result = error.result
            failed.append(str(error))
        marts = steps.mart_rows(settings)
        coverage = freshness.coverage_flags(settings)
    except SpotifyEltError as error:
        _fail(error)
    _summary(
        settings,
        extract_result,
        api_requests,
        load_result,
        transform_result,
        marts,
        time.monotonic() - started,
        missing,
        health=(("freshness", fresh.line()), ("coverage", freshness.coverage_line(coverage))),
    )
    if failed:
        for message in failed:
            click.echo(click.style("error: ", fg="red", bold=True) + message, err=True)
        sys.exit(1)


def _missing_message(missing: list[str]) -> str:
    listed = "\n".join(f"  - {path}" for path in missing[:10])
    more = f"\n  - … and {len(missing) - 10} more" if len(missing) > 10 else ""
    return (
        f"{len(missing)} lake file(s) this run extracted are not in the warehouse, so the marts "
        f"do not show this run's data; run `spotify-elt load` again:\n{listed}{more}"
    )


def _summary(
    settings,
    extract_result,
    api_requests,
    load_result,
    transform_result,
    marts,
    seconds,
    missing=(),
    health: tuple[tuple[str, str], ...] = (),
) -> None:
    lines = ["", click.style("Summary", bold=True)]
    if extract_result is not None:
        report = extract_result.report
        served = f" (replica served {api_requests})" if api_requests is not None else ""
        lines.append(
            f"  extract    {report.playlists_read} playlists, {report.entries_read} entries, "
            f"{report.stats.requests} API requests{served}, {report.stats.retries} retries, "
            f"{extract_result.lake_files} lake files"
        )
        lines.append(f"  requests   {report.requests_line()}")
        if extract_result.finished_earlier:
            lines.append(
                "  pending    finished the lake write an earlier run left (load "
                + ", ".join(extract_result.finished_earlier)
                + ")"
            )
    if load_result is not None:
        raw = ", ".join(f"{table} {count}" for table, count in load_result.rows.items())
        lines.append(f"  raw        {raw}")
    if missing:
        lines.append(f"  missing    {len(missing)} lake file(s) of this run not loaded")
    if transform_result is not None:
        lines.append(
            f"  dbt        {transform_result.models} models/snapshots built, "
            f"{transform_result.tests_passed} tests passed, {transform_result.tests_failed} failed"
        )
    lines.append("  marts      " + ", ".join(f"{name} {count}" for name, count in marts.items()))
    lines.extend(f"  {name:<10} {text}" for name, text in health)
    lines.append(f"  lake       {settings.lake_url}")
    lines.append(f"  warehouse  {settings.duckdb_path} (schemas raw_spotify, staging, marts)")
    if transform_result is not None and transform_result.serving_path:
        lines.append(f"  serving    {transform_result.serving_path}  (readers: open this file)")
    if transform_result is not None and transform_result.docs_path:
        lines.append(f"  docs       {transform_result.docs_path}  (or: make docs)")
    lines.append(f"  took       {seconds:.1f} s")
    click.echo("\n".join(lines))


@main.command()
@data_dir_option
@click.option(
    "--playlist", "playlists", multiple=True, help="Playlist URL, URI or id (repeatable)."
)
@mine_option
@click.option("--demo", is_flag=True, help="Use the local API replica even if credentials exist.")
def extract(data_dir: Path | None, playlists: tuple[str, ...], mine: bool, demo: bool) -> None:
    """Only extract: Spotify API → lake."""
    settings = _locked_settings(data_dir)
    with spotify_access(force_demo=demo, playlists=_references(playlists, mine)) as access:
        try:
            result = steps.extract(settings, access.source_args, observed_at=access.observed_at)
        except SpotifyEltError as error:
            _fail(error)
    click.echo(
        f"{result.report.entries_read} entries → {result.lake_files} files in {settings.lake_url}"
    )


@main.command("import-raw")
@click.argument("paths", nargs=-1, required=True)
@data_dir_option
@target_option
@click.option("--playlist-id", help="Playlist of files whose `href` does not name one.")
@click.option(
    "--observed-at",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]),
    help="When the files were fetched (UTC), if neither their names nor entries tell.",
)
@click.option("--no-build", is_flag=True, help="Only land the files in the lake.")
@click.option("--no-docs", is_flag=True, help="Skip `dbt docs generate`.")
def import_raw(
    paths: tuple[str, ...],
    data_dir: Path | None,
    target: str | None,
    playlist_id: str | None,
    observed_at: datetime | None,
    no_build: bool,
    no_docs: bool,
) -> None:
    """Import saved raw API responses (files or folders, local or s3://, plain or gzip).

    Each good file lands in the lake unchanged, then the warehouse loads and dbt
    builds as usual. Bad files are named with what is wrong; the good ones of
    the same batch still import, and the exit code is 1.
    """
    from ingestion.lake import Lake
    from ingestion.lake.imports import import_files
    from ingestion.spotify.references import parse_playlist_id

    settings = _locked_settings(data_dir, target)
    try:
        playlist = parse_playlist_id(playlist_id) if playlist_id else None
    except SpotifyEltError as error:
        _fail(error)
    when = observed_at.replace(tzinfo=UTC) if observed_at else None
    outcome = import_files(
        list(paths), Lake(settings.lake_url), playlist_id=playlist, observed_at=when
    )
    for meta in outcome.imported:
        click.echo(
            f"imported   {meta.source}: playlist {meta.playlist_id}, {meta.entries} entries, "
            f"observed {meta.observed_at}"
        )
    for source in outcome.unchanged:
        click.echo(f"unchanged  {source} (imported before)")
    kept = {aside.reason: aside.quarantine_path for aside in outcome.set_aside}
    for message in outcome.errors:  # one line per file not imported
        where = f" Set aside in {kept[message]}." if message in kept else ""
        click.echo(click.style("error: ", fg="red", bold=True) + message + where, err=True)
    if not no_build and (outcome.imported or outcome.unchanged):
        try:
            loaded = steps.load(settings)
            result = steps.transform(settings, docs=not no_docs)
            marts = steps.mart_rows(settings)
        except SpotifyEltError as error:
            _fail(error)
        click.echo("raw    " + ", ".join(f"{t} {n}" for t, n in loaded.rows.items()))
        click.echo(f"dbt    {result.models} models, {result.tests_passed} tests passed")
        click.echo("marts  " + ", ".join(f"{name} {count}" for name, count in marts.items()))
    if outcome.errors:
        click.echo(f"{len(outcome.errors)} file(s) could not be imported; see above.", err=True)
        sys.exit(1)


@main.command()
@data_dir_option
@target_option
@click.option("--rebuild", is_flag=True, help="Drop the raw tables and reload the whole lake.")
def load(data_dir: Path | None, target: str | None, rebuild: bool) -> None:
    """Only load: lake → raw_spotify tables (no API calls)."""
    try:
        result = steps.load(_locked_settings(data_dir, target), rebuild=rebuild)
    except SpotifyEltError as error:
        _fail(error)
    click.echo(", ".join(f"{table} {count}" for table, count in result.rows.items()))


@main.command()
@data_dir_option
@target_option
@click.option("--no-docs", is_flag=True, help="Skip `dbt docs generate`.")
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Rebuild the incremental models from all the raw rows (dbt --full-refresh).",
)
@click.option(
    "--unit-tests",
    is_flag=True,
    help="Run dbt's unit tests too (they check the SQL, not the data; `rebuild` runs them).",
)
def transform(
    data_dir: Path | None, target: str | None, no_docs: bool, full_refresh: bool, unit_tests: bool
) -> None:
    """Only transform: dbt build (models and data tests) and docs on the raw tables."""
    settings = _locked_settings(data_dir, target)
    try:
        result = steps.transform(
            settings, docs=not no_docs, full_refresh=full_refresh, unit_tests=unit_tests
        )
    except SpotifyEltError as error:
        _fail(error)
    click.echo(f"{result.models} models, {result.tests_passed} tests passed")


@main.command()
@data_dir_option
@target_option
def rebuild(data_dir: Path | None, target: str | None) -> None:
    """Rebuild the warehouse from the lake alone (no API calls): load --rebuild, then
    transform --full-refresh --unit-tests."""
    settings = _locked_settings(data_dir, target)
    try:
        loaded = steps.load(settings, rebuild=True)
        result = steps.transform(settings, full_refresh=True, unit_tests=True)
    except SpotifyEltError as error:
        _fail(error)
    click.echo(
        f"rebuilt from {settings.lake_url}: "
        + ", ".join(f"{table} {count}" for table, count in loaded.rows.items())
        + f"; {result.tests_passed} dbt tests passed"
    )


@main.command("freshness")
@data_dir_option
@target_option
def freshness_command(data_dir: Path | None, target: str | None) -> None:
    """How old the latest observation of each source is (dbt source freshness); exit 1 when
    one is past its error threshold."""
    settings = _locked_settings(data_dir, target)
    try:
        report = freshness.check_freshness(settings)
    except SpotifyEltError as error:
        _fail(error)
    if report.problem:
        _fail(
            SpotifyEltError(
                f"Freshness not measured: {report.problem}; run `spotify-elt run` first."
            )
        )
    for source in report.sources:
        observed = f"{source.max_observed_at:%Y-%m-%d %H:%M} UTC" if source.max_observed_at else "-"
        age = freshness.age_text(source.age_seconds) if source.age_seconds is not None else "-"
        limits = f"warn after {source.warn_after or '-'}, error after {source.error_after or '-'}"
        click.echo(
            f"{source.relation:<30} {source.status:<6} last observed {observed}, {age} ago  "
            f"({limits})"
        )
    if report.reference_at is not None:
        click.echo(
            f"judged at {report.reference_at:%Y-%m-%d %H:%M} UTC ({freshness.REFERENCE_ENV} "
            "or SPOTIFY_ELT_DEMO_DAY)"
        )
    for source in report.errors:
        click.echo(click.style("error: ", fg="red", bold=True) + source.error_sentence(), err=True)
    sys.exit(1 if report.errors else 0)


@main.command(
    "dbt", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": True}
)
@data_dir_option
@target_option
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
def dbt_command(data_dir: Path | None, target: str | None, dbt_args: tuple[str, ...]) -> None:
    """Any dbt command on this project and data dir, e.g. `spotify-elt dbt compile -s top_songs`."""
    invocation = steps.dbt(_locked_settings(data_dir, target), *dbt_args)
    if invocation.exception is not None:  # dbt could not run (usage, profile): say why
        click.echo(
            f"error: dbt {' '.join(dbt_args)}: {str(invocation.exception).rstrip('.')}; use one of "
            "dbt's commands (build, run, test, compile, ls, show, docs, debug…), e.g. "
            "`spotify-elt dbt ls`.",
            err=True,
        )
    sys.exit(0 if invocation.success else 1)


@main.command()
@click.option("--redirect-uri", default=None, help="Must match the app's settings on Spotify.")
@click.option("--no-browser", is_flag=True, help="Print the URL and paste the redirect back.")
@click.option(
    "--secrets-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to store the token [default: <project home>/.dlt/secrets.toml].",
)
def auth(redirect_uri: str | None, no_browser: bool, secrets_file: Path | None) -> None:
    """One-time: authorise as a Spotify user and store the refresh token in .dlt/secrets.toml."""
    from orchestration.config import project_home

    secrets_file = secrets_file or project_home() / ".dlt" / "secrets.toml"
    from ingestion.spotify.auth import authorize

    try:
        authorize(secrets_file, redirect_uri=redirect_uri, open_browser=not no_browser)
    except SpotifyEltError as error:
        _fail(error)
    click.echo(f"Refresh token stored in {secrets_file} under [sources.spotify].")


@main.command()
@click.option("--mode", type=click.Choice(["current", "legacy"]), default="current")
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--day", type=int, default=0, show_default=True, help="Simulated day.")
def replica(mode: str, port: int, day: int) -> None:
    """Serve the local Spotify API replica until Ctrl-C (for trying things by hand)."""
    from ingestion.spotify_replica.__main__ import serve

    serve(mode=mode, port=port, day=day)


@main.command()
@data_dir_option
@click.option("--port", type=int, default=8080, show_default=True)
def docs(data_dir: Path | None, port: int) -> None:
    """Serve the dbt docs site on 127.0.0.1."""
    import functools
    import http.server

    settings = Settings.resolve(data_dir)
    if not settings.docs_path.exists():
        _fail(SpotifyEltError(f"No docs at {settings.docs_path}: run `spotify-elt run` first."))
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(settings.docs_path.parent)
    )
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        click.echo(f"dbt docs: http://127.0.0.1:{port}/static_index.html  (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


# `spotify-elt export tableau` (serving/cli.py).
main.add_command(export)
main.add_command(doctor_command)


if __name__ == "__main__":
    main()
