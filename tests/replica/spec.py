"""Validate responses against the Web API's OpenAPI specs (tests/fixtures/openapi/).

The specs are OpenAPI 3.0: `nullable` and `#/components/schemas` refs are turned
into JSON Schema (2020-12) for `jsonschema`. A few known gaps between the specs
and what Spotify really sends are tolerated, each for a documented reason and
each shown necessary by a real capture (see test_openapi.py):

1. `PlaylistTrackObject.item`/`.track` may be null: a track that is no longer
   available. The spec's own PlaylistObject description says so.
2. `EpisodeBase.is_playable` is not required: Spotify only sends it when the
   request names a market (captured-2026/playlist_3.json has none).
3. Local files (`is_local: true`) have null ids, hrefs, uris, album type and
   release date, and no `total_tracks` (captured-2026/playlist_2.json); they are
   validated against a variant where exactly those fields may be null.
4. Current mode only: properties the 2026 spec marks `deprecated` are not
   required, because development-mode apps no longer get them (the spec still
   lists e.g. AlbumBase.available_markets and AlbumObject.label as required).
5. Batch endpoints answer `null` for unknown ids, which ManyArtists/ManyAlbums
   do not allow.
"""

import copy
import functools
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

OPENAPI = Path(__file__).parents[1] / "fixtures" / "openapi"
SPECS = {
    "current": OPENAPI / "spotify-web-api.2026-05-31.yml",
    "legacy": OPENAPI / "spotify-web-api.2025-10-03.yml",
}
_IGNORED = {"discriminator", "example", "deprecated", "nullable", "x-spotify-docs-type"}
_LOCAL_NULLABLE = {
    "AlbumBase": ("album_type", "href", "id", "release_date", "release_date_precision", "uri"),
    "SimplifiedArtistObject": ("href", "id", "uri"),
    "TrackObject": ("href", "id"),
}


@functools.cache
def openapi(mode: str) -> dict[str, Any]:
    return yaml.safe_load(SPECS[mode].read_text(encoding="utf-8"))


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema → JSON Schema: `nullable`, refs into `$defs`, docs keys dropped."""
    if isinstance(node, list):
        return [to_json_schema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in _IGNORED:
            continue
        if key == "$ref":
            out[key] = "#/$defs/" + _ref_name(value)
        else:
            out[key] = to_json_schema(value)
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:  # allOf/oneOf with nullable
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _properties(schema: dict, schemas: dict) -> dict[str, dict]:
    """All properties of a schema, through `$ref` and `allOf`."""
    if "$ref" in schema:
        return _properties(schemas[_ref_name(schema["$ref"])], schemas)
    merged: dict[str, dict] = {}
    for part in schema.get("allOf", []):
        merged.update(_properties(part, schemas))
    merged.update(schema.get("properties", {}))
    return merged


def _drop_deprecated_required(schema: dict, schemas: dict, closure: dict[str, dict]) -> None:
    if "required" in schema:
        deprecated = {name for name, prop in closure.items() if prop.get("deprecated")}
        schema["required"] = [name for name in schema["required"] if name not in deprecated]
    for part in schema.get("allOf", []):
        if "$ref" not in part:
            _drop_deprecated_required(part, schemas, closure)


def _make_nullable(schemas: dict, name: str, properties: tuple[str, ...]) -> None:
    target = schemas[name]
    props = target.get("properties") or next(
        p["properties"] for p in target["allOf"] if "properties" in p
    )
    for prop in properties:
        props[prop]["nullable"] = True


@functools.cache
def _schemas(mode: str, local_files: bool, strict: bool = False) -> dict[str, Any]:
    schemas = copy.deepcopy(openapi(mode)["components"]["schemas"])
    if strict:  # the spec as written, to show that each tolerance is needed
        return {name: to_json_schema(schema) for name, schema in schemas.items()}
    if mode == "current":  # 4.
        pristine = copy.deepcopy(schemas)
        for schema in schemas.values():
            _drop_deprecated_required(schema, schemas, _properties(schema, pristine))
    _make_nullable(
        schemas, "PlaylistTrackObject", ("item", "track") if mode == "current" else ("track",)
    )  # 1.
    episode = schemas["EpisodeBase"]  # 2.
    episode["required"] = [r for r in episode["required"] if r != "is_playable"]
    if local_files:  # 3.
        for name, properties in _LOCAL_NULLABLE.items():
            _make_nullable(schemas, name, properties)
        album = schemas["AlbumBase"]
        album["required"] = [r for r in album["required"] if r != "total_tracks"]
    return {name: to_json_schema(schema) for name, schema in schemas.items()}


def validator(
    mode: str, schema: str | dict, *, local_files: bool = False, strict: bool = False
) -> Draft202012Validator:
    """A validator for a components schema name, or for an OpenAPI schema fragment."""
    if isinstance(schema, str):
        return _named_validator(mode, schema, local_files, strict)
    return Draft202012Validator(
        {**to_json_schema(schema), "$defs": _schemas(mode, local_files, strict)}
    )


@functools.cache
def _named_validator(mode: str, name: str, local_files: bool, strict: bool) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"#/$defs/{name}", "$defs": _schemas(mode, local_files, strict)}
    )


def response_schema(mode: str, response: str) -> dict:
    """The JSON schema of one of the spec's `components/responses` (e.g. ManyArtists)."""
    spec = openapi(mode)["components"]["responses"][response]
    return copy.deepcopy(spec["content"]["application/json"]["schema"])


def errors(
    mode: str, schema: str | dict, instance: Any, *, local_files: bool = False, strict: bool = False
) -> list[str]:
    """Validation errors, as short readable lines (empty when valid)."""
    found = validator(mode, schema, local_files=local_files, strict=strict).iter_errors(instance)
    lines = []
    for error in sorted(found, key=lambda e: list(e.absolute_path)):
        details = [f"{list(c.absolute_path)}: {c.message[:120]}" for c in error.context or []]
        lines.append(f"{list(error.absolute_path)}: {error.message[:160]} {details[:6]}")
    return lines


def entries_errors(mode: str, entries: list[dict]) -> list[str]:
    """Validate playlist entries: local files against the local-file variant, others strictly."""
    found = []
    for index, entry in enumerate(entries):
        local = bool(entry.get("is_local"))
        for line in errors(mode, "PlaylistTrackObject", entry, local_files=local):
            found.append(f"entry {index}: {line}")
    return found


def page_errors(mode: str, page: dict) -> list[str]:
    """A paging object of playlist entries: the page itself, then each entry on its own."""
    shell = {**page, "items": []}
    return errors(mode, "PagingPlaylistTrackObject", shell) + entries_errors(mode, page["items"])


def playlist_errors(mode: str, playlist: dict) -> list[str]:
    """A playlist object, with its embedded first page(s) of entries checked like `page_errors`."""
    shell = dict(playlist)
    found = []
    for key in ("tracks", "items"):
        page = playlist.get(key)
        if isinstance(page, dict) and isinstance(page.get("items"), list):
            shell[key] = {**page, "items": []}
            found += entries_errors(mode, page["items"])
    return errors(mode, "PlaylistObject", shell) + found


def batch_schema(mode: str, kind: str) -> dict:
    """ManyArtists/ManyAlbums, with null allowed for unknown ids (tolerance 5)."""
    schema = response_schema(mode, {"artists": "ManyArtists", "albums": "ManyAlbums"}[kind])
    entries = schema["properties"][kind]
    entries["items"] = {"allOf": [entries["items"]], "nullable": True}
    return schema
