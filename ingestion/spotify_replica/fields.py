"""The Web API's `fields` filter: `a,b.c,items(added_at,track(name,album(!images)))`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class FieldsError(ValueError):
    """A `fields` value that does not parse."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    exclude: bool = False
    children: tuple[FieldSpec, ...] | None = None


def parse_fields(text: str) -> tuple[FieldSpec, ...]:
    """Parse a `fields` value; dots and parentheses both select inside an object."""
    specs, position = _parse_list(text, 0)
    if position != len(text):
        raise FieldsError(f"unexpected {text[position]!r} at {position}")
    return specs


def _parse_list(text: str, position: int) -> tuple[tuple[FieldSpec, ...], int]:
    specs = []
    while True:
        spec, position = _parse_field(text, position)
        specs.append(spec)
        if position < len(text) and text[position] == ",":
            position += 1
            continue
        return tuple(specs), position


def _parse_field(text: str, position: int) -> tuple[FieldSpec, int]:
    exclude = position < len(text) and text[position] == "!"
    if exclude:
        position += 1
    start = position
    while position < len(text) and (text[position].isalnum() or text[position] == "_"):
        position += 1
    if position == start:
        raise FieldsError(f"a field name is missing at {start}")
    name = text[start:position]
    if position < len(text) and text[position] == ".":
        child, position = _parse_field(text, position + 1)
        return FieldSpec(name, exclude, (child,)), position
    if position < len(text) and text[position] == "(":
        children, position = _parse_list(text, position + 1)
        if position >= len(text) or text[position] != ")":
            raise FieldsError(f"a ')' is missing at {position}")
        return FieldSpec(name, exclude, children), position + 1
    return FieldSpec(name, exclude), position


def apply_fields(value: Any, specs: tuple[FieldSpec, ...]) -> Any:
    """Keep only the selected fields (of every element, for lists); drop `!`-prefixed ones."""
    if isinstance(value, list):
        return [apply_fields(element, specs) for element in value]
    if not isinstance(value, dict):
        return value
    selected: dict[str, list[FieldSpec] | None] = {}
    excluded = set()
    for spec in specs:
        if spec.exclude:
            excluded.add(spec.name)
        elif spec.children is None or selected.get(spec.name, []) is None:
            selected[spec.name] = None  # the whole field
        else:
            selected.setdefault(spec.name, []).extend(spec.children)  # type: ignore[union-attr]
    if selected:
        result = {}
        for key, sub in value.items():
            if key in selected:
                children = selected[key]
                result[key] = value[key] if children is None else apply_fields(sub, tuple(children))
    else:
        result = dict(value)
    for key in excluded:
        result.pop(key, None)
    return result
