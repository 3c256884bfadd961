"""Lake → raw tables in bulk: DuckDB reads the lake files, dlt loads the files DuckDB writes.

No record passes through Python on the way. For each raw table, DuckDB's `read_json`
reads the lake files not loaded yet (local, or s3:// through the lake's own fsspec
filesystem) and writes them as one load file per batch, which dlt imports into its
load package as it is (`dlt.mark.with_file_import`): no normaliser, no per-row work.
The load file is Parquet for DuckDB and JSON lines for Snowflake, the format each
loads fastest; only from JSON does Snowflake's COPY keep `payload` a VARIANT object
(from Parquet it would be a string). Both warehouses run this same code.

What the raw tables hold: every record of every lake file, once, with the file it came
from in `lake_file` (its path relative to the lake root; file names start with the
extraction's load id, so ordering by it is load order). Deduplication by key is dbt
staging's job. Exactly once:

- a lake file is new for a table when the table holds no row with its `lake_file`: the
  raw tables themselves are the ledger, so a lost dlt working folder changes nothing;
- each load file becomes one COPY/INSERT of dlt, all or nothing, and holds whole lake
  files; a crash halfway leaves whole files loaded or not, and dlt finishes the pending
  package on the next run before anything new is read;
- a rebuild drops the raw tables and loads every file again.

`import-raw` files (lake/imports/ with .meta.json sidecars, see raw_import) are turned
into records in Python (they are few and small) and then go through the same DuckDB step.
A file the warehouse cannot read (truncated, not UTF-8, a lone surrogate, not a record)
is found by reading the failed batch file by file, moved to the lake's quarantine with
its reason, and named in one error once everything else has loaded; the next load no
longer sees it. A file that fails for a reason outside it (it cannot be opened) stays.
"""

import hashlib
import itertools
import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
import duckdb
import orjson
from dlt.common.pipeline import LoadInfo
from dlt.sources import DltResource

import ingestion.raw_tables as raw_tables
from ingestion.errors import LakeFileError, LoadIncompleteError
from ingestion.lake.imports import records_of_import
from ingestion.lake.layout import IMPORTS_DIR, LAKE_DATASET, SIDECAR_SUFFIX, Lake
from ingestion.lake.quarantine import move_to_quarantine
from ingestion.warehouse.duckdb_settings import READER_MEMORY_LIMIT, duckdb_config

logger = logging.getLogger(__name__)

LAKE_FILE = raw_tables.LAKE_FILE_COLUMN["name"]
LAKE_SUFFIXES = (".jsonl", ".jsonl.gz")
# A batch: lake files read by one DuckDB query into one load file.
BATCH_BYTES = 256 << 20  # one INSERT, one commit each; the memory limit must hold it
BATCH_FILES = 2000
# Which raw tables an imported file gives rows to, by the kind its sidecar records.
IMPORT_TABLES = {
    "playlist": ("playlists", "playlist_entries"),
    "entries_page": ("playlist_entries",),
}

_KEY_TYPES = {"text": "VARCHAR", "bigint": "BIGINT"}


def raw_table_hints(table: str) -> dict[str, Any]:
    """dlt hints of a raw table: every record appended, with its lake file and dlt's ids.

    Columns are declared nullable only because DuckDB writes every Parquet column as
    optional and dlt would rewrite a file whose nullability differs from the schema;
    the load's SQL refuses a record without its keys, so none is ever null.
    """
    columns = {
        column["name"]: {**column, "nullable": True}
        for column in raw_tables.RAW_TABLES[table]["columns"]
    }
    for name in (LAKE_FILE, "_dlt_load_id", "_dlt_id"):
        columns[name] = {"name": name, "data_type": "text", "nullable": True}
    return {"name": table, "write_disposition": "append", "columns": columns}


@dataclass
class LakeProblems:
    """Files that could not be loaded, with why; the other files load anyway."""

    lake: Lake
    messages: list[str] = field(default_factory=list)

    def set_aside(self, relatives: list[str], reason: str) -> None:
        """Move files the warehouse cannot read to the quarantine; name them in the error."""
        try:
            kept = [move_to_quarantine(self.lake, relative, reason) for relative in relatives]
        except OSError as error:
            self.keep(f"{reason} (could not be set aside: {error})")
            return
        where = self.lake.fs.unstrip_protocol(kept[0])
        self.keep(f"{reason} Set aside in {where} with the reason; later loads go on without it.")

    def keep(self, message: str) -> None:
        """A file not loaded this time; it stays where it is (e.g. it could not be opened)."""
        self.messages.append(message)
        logger.error("%s", message)

    def error(self, result: Any) -> LoadIncompleteError | None:
        return LoadIncompleteError(self.messages, result=result) if self.messages else None


@dataclass
class _Pending:
    """What one load run reads, per table: lake files and imported files not loaded yet."""

    lake: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    imports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class LakeReader:
    """A DuckDB connection that reads the lake; writes load files into `work_dir`."""

    def __init__(self, lake: Lake, work_dir: Path) -> None:
        self.lake = lake
        self.work_dir = work_dir
        spill = work_dir / "duckdb_spill"
        self.con = duckdb.connect(config=duckdb_config(str(spill), READER_MEMORY_LIMIT))
        self.con.execute("set TimeZone = 'UTC'")
        self.con.execute("set preserve_insertion_order = false")
        self.remote = lake.config.protocol != "file"
        if self.remote:
            self.con.register_filesystem(lake.fs)
        self._files = 0

    def next_name(self, stem: str, extension: str) -> Path:
        self._files += 1
        return self.work_dir / f"{stem}.{self._files}.{extension}"

    def close(self) -> None:
        self.con.close()

    def url(self, relative: str) -> str:
        """The path DuckDB opens for a file of the lake (s3://… through fsspec)."""
        path = self.lake.path(relative)
        return self.lake.fs.unstrip_protocol(path) if self.remote else path

    def display(self, relative: str) -> str:
        return self.lake.fs.unstrip_protocol(self.lake.path(relative))

    def _select(self, table: str, paths: list[str], file_format: str, load_id: str) -> str:
        """One row per lake line. Each line is parsed once: one json_extract of many paths."""
        spec = raw_tables.RAW_TABLES[table]
        keys = [c for c in spec["columns"] if c["name"] not in ("observed_at", "payload")]
        fields = [c["name"] for c in keys] + ["observed_at", "payload", "_dlt_id", LAKE_FILE]
        json_paths = ", ".join(f"'$.{name}'" for name in fields)
        value = {name: f"(fields[{index}] ->> '$')" for index, name in enumerate(fields, 1)}
        key_columns = [
            f"{value[c['name']]}::{_KEY_TYPES[c['data_type']]} as {c['name']}" for c in keys
        ]
        # A line without the source's keys is not a record: fail, to name the file.
        missing = " or ".join(
            f"{value[name]} is null" for name in [*[c["name"] for c in keys], "observed_at"]
        )
        without = tuple(f"payload.{path}" for path in spec.get("payload_without", ()))
        # What to leave out is known from one parse of the line (json_type of its paths),
        # and left out before the fields are extracted: a playlist line is ~216 kB, and
        # a second copy of a vector of them would not fit the reader's memory limit.
        embedded = (
            f"json_type(json, {_sql_list(['$.' + p for p in without])})" if without else "null"
        )
        observed = value["observed_at"]
        if file_format == "parquet":
            observed += "::timestamptz"
        prefix = len(self.url("x")) - 1
        # The list inline: a Python parameter would make DuckDB import pandas (seconds).
        files = _sql_list(paths)
        return f"""
            with raw as (
                select json, filename, {embedded} as embedded
                from read_json_objects({files}, format = 'newline_delimited', filename = true)
            ),
            lines as (
                select json_extract({_without("json", without)}, [{json_paths}]) as fields, filename
                from raw
            )
            select
                {", ".join(key_columns)},
                case when {missing} or fields[{fields.index("payload") + 1}] is null
                    then error('not a record of the spotify source: ' || filename)
                    else {observed}
                end as observed_at,
                fields[{fields.index("payload") + 1}] as payload,
                coalesce({value[LAKE_FILE]}, substr(filename, {prefix + 1})) as {LAKE_FILE},
                '{load_id}' as _dlt_load_id,
                -- the extraction's row id; made up only for lines without one
                case when {value["_dlt_id"]} is null
                    then substr(md5(filename || fields::varchar), 1, 14)
                    else {value["_dlt_id"]}
                end as _dlt_id
            from lines
        """

    def write(
        self, table: str, paths: list[str], file_format: str, load_id: str
    ) -> tuple[Path, int]:
        """Read `paths` (as DuckDB opens them) into one load file; returns it and its rows."""
        extension = "parquet" if file_format == "parquet" else "jsonl.gz"
        target = self.next_name(table, extension)
        if file_format == "parquet":
            options = "format parquet, compression snappy, row_group_size_bytes '16MB'"
        else:
            options = "format json, compression gzip"
        select = self._select(table, paths, file_format, load_id)
        (rows,) = self.con.execute(f"copy ({select}) to '{target}' ({options})").fetchone()
        return target, int(rows)


def _without(document: str, paths: tuple[str, ...]) -> str:
    """`document` without the arrays at `paths` where it has them (`embedded` holds their
    JSON types): a JSON merge patch (RFC 7396) deletes a key whose patch value is null.
    One patch per combination, so a path the object lacks is never added to it."""
    cases = []
    for size in range(len(paths), 0, -1):
        for chosen in itertools.combinations(range(len(paths)), size):
            patch: dict[str, Any] = {}
            for index in chosen:
                *parents, leaf = paths[index].split(".")
                node = patch
                for parent in parents:
                    node = node.setdefault(parent, {})
                node[leaf] = None
            test = " and ".join(f"embedded[{index + 1}] = 'ARRAY'" for index in chosen)
            text = orjson.dumps(patch).decode()
            cases.append(f"when {test} then json_merge_patch({document}, '{text}')")
    if not cases:
        return document
    return f"case {' '.join(cases)} else {document} end"


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


# DuckDB's errors about the data it read (not about memory, disk or a connection).
_DATA_ERRORS = (duckdb.InvalidInputException, duckdb.ConversionException)


def _diagnose(reader: LakeReader, relative: str, error: Exception) -> tuple[str, bool]:
    """Why one lake file cannot be loaded, in one sentence naming it, and whether the fault
    is confirmed to be in the file (then it is set aside). Error path only."""
    url = reader.display(relative)
    try:
        with reader.lake.fs.open(reader.lake.path(relative), "rb", compression="infer") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = orjson.loads(line)  # as strict as DuckDB: no lone surrogates
                except orjson.JSONDecodeError as decode_error:
                    kind = "not valid JSON (truncated file?)"
                    if "surrogate" in decode_error.msg or "UTF-8" in decode_error.msg:
                        kind = f"text that is not valid Unicode ({decode_error.msg})"
                    return f"{url}: line {number} is {kind}.", True
                if not isinstance(record, dict) or "payload" not in record:
                    return f"{url}: line {number} is not a record of the spotify source.", True
    except OSError as os_error:
        return f"{url}: cannot be read ({os_error}); it stays in the lake for the next run.", False
    first_line = str(error).splitlines()[0]
    return f"{url}: cannot be loaded ({first_line}).", isinstance(error, _DATA_ERRORS)


def _batches(files: list[tuple[str, int]]) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for relative, file_size in files:
        if batch and (size + file_size > BATCH_BYTES or len(batch) >= BATCH_FILES):
            yield batch
            batch, size = [], 0
        batch.append(relative)
        size += file_size
    if batch:
        yield batch


def _load_files(
    reader: LakeReader,
    table: str,
    relatives: list[str],
    file_format: str,
    load_id: str,
    problems: LakeProblems,
) -> list[tuple[Path, int]]:
    """Load files of a batch; on an error, find the damaged files and load the rest."""
    try:
        return [reader.write(table, [reader.url(r) for r in relatives], file_format, load_id)]
    except duckdb.Error as error:
        if len(relatives) == 1:
            _refuse(reader, relatives[0], error, problems)
            return []
    good = []
    for relative in relatives:
        try:
            select = reader._select(table, [reader.url(relative)], file_format, load_id)  # noqa: SLF001
            reader.con.execute(f"select count(*) from ({select})").fetchone()
        except duckdb.Error as error:
            _refuse(reader, relative, error, problems)
            continue
        good.append(relative)
    if not good:
        return []
    return [reader.write(table, [reader.url(r) for r in good], file_format, load_id)]


def _refuse(reader: LakeReader, relative: str, error: duckdb.Error, problems: LakeProblems) -> None:
    message, confirmed = _diagnose(reader, relative, error)
    if confirmed:
        problems.set_aside([relative], message)
    else:
        problems.keep(message)


def _import_records(
    reader: LakeReader, table: str, metas: list[dict[str, Any]], problems: LakeProblems
) -> Path | None:
    """Imported files as one local file of the source's records (+ lake_file) for DuckDB."""
    target = reader.next_name(f"imports_{table}", "jsonl")
    written = 0
    with target.open("wb") as out:
        for meta in metas:
            lake_path = meta["lake_path"]
            try:
                with reader.lake.fs.open(reader.lake.path(lake_path), "rb") as handle:
                    raw = handle.read()
            except OSError as error:
                problems.keep(f"{reader.display(lake_path)}: cannot be read ({error}).")
                continue
            try:
                lines = [
                    orjson.dumps(_with_lake_file(row, lake_path))
                    for name, row in records_of_import(meta, raw)
                    if name == table
                ]
            except (LakeFileError, orjson.JSONEncodeError) as error:
                # Imported by an older version that did not check as strictly.
                problems.set_aside(
                    [meta["sidecar_path"], lake_path], f"{reader.display(lake_path)}: {error}"
                )
                continue
            out.writelines(line + b"\n" for line in lines)
            written += len(lines)
    return target if written else None


def _with_lake_file(row: dict[str, Any], lake_path: str) -> dict[str, Any]:
    key = row.get("position", "")
    row[LAKE_FILE] = lake_path
    row["_dlt_id"] = hashlib.blake2b(f"{lake_path}#{key}".encode(), digest_size=7).hexdigest()
    return row


def _list_lake(lake: Lake, table: str) -> list[tuple[str, int]]:
    """(path relative to the lake, size) of the table's lake files, in load order."""
    root = lake.path(f"{LAKE_DATASET}/{table}")
    if not lake.fs.exists(root):
        return []
    found = lake.fs.find(root, detail=True)
    prefix = len(lake.root) + 1
    files = [
        (_strip(lake, path)[prefix:], int(info.get("size") or 0))
        for path, info in found.items()
        if path.endswith(LAKE_SUFFIXES)
    ]
    return sorted(files)


def _strip(lake: Lake, path: str) -> str:
    return lake.fs._strip_protocol(path)  # noqa: SLF001 – fsspec's own normal form


# What the load reads from a sidecar (ingestion/lake/imports.py: ImportedFile).
_SIDECAR_KEYS = ("lake_path", "kind", "playlist_id", "snapshot_id", "observed_at")


def _list_imports(lake: Lake, problems: LakeProblems) -> list[dict[str, Any]]:
    """The sidecars of imported files (with their own path); a damaged one is set aside."""
    root = lake.path(IMPORTS_DIR)
    if not lake.fs.exists(root):
        return []
    metas = []
    for path in sorted(p for p in lake.fs.find(root) if p.endswith(SIDECAR_SUFFIX)):
        relative = _strip(lake, path)[len(lake.root) + 1 :]
        with lake.fs.open(path, "rb") as handle:
            raw = handle.read()
        try:
            meta = orjson.loads(raw)
        except orjson.JSONDecodeError:
            meta = None
        if not isinstance(meta, dict) or not all(
            isinstance(meta.get(key), str) for key in _SIDECAR_KEYS
        ):
            problems.set_aside(
                [relative], f"{lake.fs.unstrip_protocol(path)}: not a sidecar of import-raw."
            )
            continue
        metas.append({**meta, "sidecar_path": relative})
    return metas


def loaded_lake_files(pipeline: dlt.Pipeline) -> dict[str, set[str]] | None:
    """Per raw table, the lake files it holds rows of; None if a table predates `lake_file`."""
    loaded: dict[str, set[str]] = {table: set() for table in raw_tables.RAW_TABLES}
    try:
        with pipeline.sql_client() as client:
            if not client.has_dataset():
                return loaded
            schema = pipeline.dataset_name.lower()
            rows = client.execute_sql(
                "select lower(table_name), lower(column_name) from information_schema.columns "
                f"where lower(table_schema) = '{schema}'"
            )
            columns: dict[str, set[str]] = {}
            for table, column in rows:
                columns.setdefault(table, set()).add(column)
            for table in raw_tables.RAW_TABLES:
                if table not in columns:
                    continue
                if LAKE_FILE not in columns[table]:
                    return None
                name = client.make_qualified_table_name(table)
                loaded[table] = {
                    row[0] for row in client.execute_sql(f"select distinct lake_file from {name}")
                }
    except Exception as error:  # noqa: BLE001 – no warehouse yet: nothing is loaded
        logger.debug("no raw tables yet (%s)", error)
    return loaded


def _pending(lake: Lake, loaded: dict[str, set[str]], problems: LakeProblems) -> _Pending:
    pending = _Pending()
    imports = _list_imports(lake, problems)
    for table in raw_tables.RAW_TABLES:
        pending.lake[table] = [f for f in _list_lake(lake, table) if f[0] not in loaded[table]]
        pending.imports[table] = [
            meta
            for meta in imports
            if table in IMPORT_TABLES.get(meta.get("kind", ""), ())
            and meta["lake_path"] not in loaded[table]
        ]
    return pending


@dlt.source(name="spotify", max_table_nesting=0)
def bulk_lake_source(
    reader: LakeReader, pending: _Pending, file_format: str, problems: LakeProblems
) -> list[DltResource]:
    """One resource per raw table, yielding load files that DuckDB wrote from the lake."""

    def make(table: str) -> DltResource:
        def files() -> Iterator[Any]:
            load_id = dlt.current.load_package_state()["load_id"]
            written: list[tuple[Path, int]] = []
            for batch in _batches(pending.lake[table]):
                written += _load_files(reader, table, batch, file_format, load_id, problems)
                logger.info("load: %s ← %d lake file(s)", table, len(batch))
            if pending.imports[table]:
                records = _import_records(reader, table, pending.imports[table], problems)
                if records is not None:
                    written.append(reader.write(table, [str(records)], file_format, load_id))
                logger.info("load: %s ← %d imported file(s)", table, len(pending.imports[table]))
            for path, rows in written:
                if rows:
                    yield dlt.mark.with_file_import(str(path), file_format, rows)
            if not any(rows for _, rows in written):
                # The dbt sources need every raw table, even one no file has filled yet.
                yield dlt.mark.materialize_table_schema()

        return dlt.resource(files, **raw_table_hints(table))

    return [make(table) for table in raw_tables.RAW_TABLES]


@contextmanager
def _connection_held(pipeline: dlt.Pipeline) -> Iterator[None]:
    """Hold one warehouse connection for the block (DuckDB; nothing to hold for Snowflake):
    dlt opens and closes one per load job, and a closing DuckDB checkpoints."""
    if pipeline.destination.destination_type != "dlt.destinations.duckdb":
        yield
        return
    with pipeline.sql_client():
        yield


def _work_root(pipeline: dlt.Pipeline) -> Path:
    """Where DuckDB writes load files: next to dlt's working folder (same disk, so dlt
    imports them by hard link), not inside it (dlt may reset that folder)."""
    return Path(pipeline.pipelines_dir) / f".{pipeline.pipeline_name}-lake-load"


def _finish_pending_loads(pipeline: dlt.Pipeline) -> None:
    """Load what an interrupted run left in dlt's working folder, before reading anything new.

    Its load files hold whole lake files; once loaded, those count as loaded below.
    """
    for stale in _work_root(pipeline).glob("lake-*"):
        shutil.rmtree(stale, ignore_errors=True)  # load files of a run that died
    if pipeline.list_extracted_load_packages():
        pipeline.normalize()
    if pipeline.list_normalized_load_packages():
        logger.info("load: finishing the load an earlier run left pending")
        pipeline.load()


def load_lake_bulk(pipeline: dlt.Pipeline, lake: Lake, rebuild: bool = False) -> LoadInfo:
    """Load lake files not loaded before; with rebuild, drop the raw tables and reload all.

    Raises LoadIncompleteError naming the files set aside after every other file has loaded.
    """
    _finish_pending_loads(pipeline)
    loaded = None if rebuild else loaded_lake_files(pipeline)
    if loaded is None:
        rebuild = True
        loaded = {table: set() for table in raw_tables.RAW_TABLES}
    capabilities = pipeline.destination.capabilities()
    # Snowflake loads JSON lines into VARIANT as objects; DuckDB reads Parquet fastest.
    file_format = "jsonl" if capabilities.preferred_loader_file_format == "jsonl" else "parquet"
    _work_root(pipeline).mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix="lake-", dir=_work_root(pipeline)))
    problems = LakeProblems(lake)
    reader = LakeReader(lake, work_dir)
    try:
        pending = _pending(lake, loaded, problems)
        source = bulk_lake_source(reader, pending, file_format, problems)
        started = time.perf_counter()
        pipeline.extract(source, refresh="drop_sources" if rebuild else None)
        # The reader's memory goes back before the warehouse's DuckDB takes its own.
        reader.close()
        logger.info("load: lake files read in %.1f s", time.perf_counter() - started)
        started = time.perf_counter()
        pipeline.normalize()
        # One load job at a time: each holds big JSON strings; the disk is the limit anyway.
        # A day's load keeps one connection open across the jobs: DuckDB checkpoints when
        # its last connection closes, ~2 s each at a year of history for a few MB of new
        # rows. A rebuild lets each job checkpoint its own table: one checkpoint of the
        # whole lake at the end went past 1 GB.
        with nullcontext() if rebuild else _connection_held(pipeline):
            info = pipeline.load(workers=1)
        logger.info("load: load files loaded in %.1f s", time.perf_counter() - started)
    finally:
        reader.close()
        shutil.rmtree(work_dir, ignore_errors=True)
    error = problems.error(result=info)  # what did load
    if error is not None:
        raise error
    return info
