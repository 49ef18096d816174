"""JSON Schemas of the policy and case files, from the models, for an editor to validate YAML as
it is typed (e.g. a ``# yaml-language-server: $schema=policy.schema.json`` line).

The models accept a few shorthands their generated schema does not show: a comparison written as
``">= 15"`` (or a bare number), a drug as a bare name, and a single item where a list is
expected. The schema is widened to accept them; each field's docstring becomes its description.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from .._fielddocs import field_docs

_CONDITION = {
    "description": "A comparison: '>= 15', '< 10', '== 89', or a bare number (equal to it).",
    "anyOf": [
        {"type": "string", "pattern": r"^\s*(>=|<=|==|>|<)\s*-?\d+(\.\d+)?\s*$"},
        {"type": "number"},
    ],
}


def _models(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model reachable from ``model`` through its fields, by class name."""
    found: dict[str, type[BaseModel]] = {}
    todo: list[Any] = [model]
    while todo:
        t = todo.pop()
        if isinstance(t, type) and issubclass(t, BaseModel):
            if t.__name__ in found:
                continue
            found[t.__name__] = t
            todo.extend(f.annotation for f in t.model_fields.values())
        for arg in getattr(t, "__args__", ()) or ():
            todo.append(arg)
        for meta in getattr(t, "__metadata__", ()) or ():
            todo.append(meta)
        origin = getattr(t, "__origin__", None)
        if origin is not None:
            todo.append(origin)
    return found


def _describe(schema: dict[str, Any], models: dict[str, type[BaseModel]]) -> None:
    defs = schema.get("$defs", {})
    for name, model in models.items():
        target = schema if name == schema.get("title") else defs.get(name)
        if not target:
            continue
        if model.__doc__ and "description" not in target:
            target["description"] = " ".join(model.__doc__.split())
        docs = field_docs(model)
        for field, prop in target.get("properties", {}).items():
            key = next((k for k, f in model.model_fields.items() if (f.alias or k) == field), field)
            if key in docs and "description" not in prop:
                prop["description"] = " ".join(docs[key].split())


def _widen(node: Any) -> Any:
    """Accept the shorthands: a Condition as a string or number, a DrugMatch as a bare name,
    and one item where a list of Conditions or DrugMatches is expected."""
    if isinstance(node, dict):
        node = {k: _widen(v) for k, v in node.items()}
        items = node.get("items", {})
        ref = items.get("$ref", "") if isinstance(items, dict) else ""
        if node.get("type") == "array" and ref.endswith(("/Condition", "/DrugMatch")):
            single = {"$ref": ref}
            return {
                "anyOf": [{k: v for k, v in node.items() if k != "description"}, single],
                **({"description": node["description"]} if "description" in node else {}),
            }
        return node
    if isinstance(node, list):
        return [_widen(x) for x in node]
    return node


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a ``policy`` or ``case`` file."""
    if kind == "policy":
        from ..policy import Policy

        model: type[BaseModel] = Policy
    elif kind == "case":
        from ..case import Case

        model = Case
    else:
        raise ValueError(f"no schema for {kind!r}: policy or case")
    schema: dict[str, Any] = model.model_json_schema(by_alias=True, mode="validation")
    _describe(schema, _models(model))
    schema = dict(_widen(schema))
    defs = schema.get("$defs", {})
    if "Condition" in defs:
        defs["Condition"] = {"anyOf": [_CONDITION, defs["Condition"]]}
    if "DrugMatch" in defs:
        defs["DrugMatch"] = {
            "anyOf": [{"type": "string", "description": "A drug by any of its names."},
                      defs["DrugMatch"]]
        }  # fmt: skip
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
