"""Does a real JSON answer match its OpenAPI schema? A small checker for the shapes parsurvey documents
(objects, arrays, dicts with typed values, nullable fields, oneOf and anyOf), strict both ways: an answer key the
document does not name is a mismatch, and so is a documented property the answer leaves out."""

from __future__ import annotations

TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        node = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def mismatches(spec: dict, value, schema: dict, where: str = "$") -> list[str]:
    """Every place where ``value`` differs from ``schema`` (empty when it matches)."""
    schema = resolve(spec, schema)
    for choice in ("oneOf", "anyOf"):  # anyOf: apispec's nullable nested object (null, or the object)
        if choice in schema:
            if any(not mismatches(spec, value, option, where) for option in schema[choice]):
                return []
            return [f"{where}: matches none of {choice}"]
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if value is None:
        return [] if schema.get("nullable") or "null" in kinds else [f"{where}: null, not nullable"]
    kinds = [k for k in kinds if k != "null"]
    if kinds and not any(TYPES[k](value) for k in kinds):
        return [f"{where}: {type(value).__name__}, documented {kinds}"]
    found = []
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += mismatches(spec, item, schema["items"], f"{where}[{i}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        # A free object ({"type": "object"}) takes any key; one with properties names every key it sends.
        extra = schema.get("additionalProperties", not properties)
        for key, item in value.items():
            if key in properties:
                found += mismatches(spec, item, properties[key], f"{where}.{key}")
            elif isinstance(extra, dict):
                found += mismatches(spec, item, extra, f"{where}.{key}")
            elif extra is not True:
                found.append(f"{where}.{key}: not in the document")
        found += [f"{where}.{key}: documented, absent" for key in properties if key not in value]
    return found


def response_schema(spec: dict, path: str, method: str = "get", status: str = "200") -> dict:
    responses = spec["paths"][path][method]["responses"]
    answer = resolve(spec, responses.get(status) or responses["default"])
    return answer.get("content", {}).get("application/json", {}).get("schema", {})
