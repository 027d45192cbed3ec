"""Does a real JSON answer match its OpenAPI schema? A small checker for the shapes parsurvey documents
(objects, arrays, dicts with typed values, nullable fields, oneOf and anyOf), strict both ways: an answer key the
document does not name is a mismatch, and so is a documented property the answer leaves out (only a
``required`` one, where the schema lists them).

``DocumentedClient`` applies it to every JSON answer a test receives (tests/appraisal and the tests that
ask for it): the document then describes the real answers of every request those tests make."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

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
    if value is None:  # a schema without a type ({}: a Raw field, a free dict's values) takes null too
        return [] if schema.get("nullable") or "null" in kinds or not kinds else [f"{where}: null, not nullable"]
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
        # A schema with a ``required`` list names the keys every answer has (the others may be left out, as
        # a refused sync item's code); without one, every documented property must be there.
        expected = schema.get("required", properties)
        found += [f"{where}.{key}: documented, absent" for key in expected if key not in value]
    return found


def response_schema(spec: dict, path: str, method: str = "get", status: str = "200") -> dict:
    responses = spec["paths"][path][method]["responses"]
    answer = resolve(spec, responses.get(status) or responses["default"])
    return answer.get("content", {}).get("application/json", {}).get("schema", {})


def _template_pattern(template: str) -> re.Pattern:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")


def operation_of(spec: dict, method: str, path: str) -> tuple[str, dict] | None:
    """The documented path template and operation that a request's method and path reach; the template
    with the most literal characters wins (``/agencies/import`` before ``/agencies/{code}``), as routing."""
    found = [
        (len(re.sub(r"\{[^}]+\}", "", template)), template, item[method.lower()])
        for template, item in spec["paths"].items()
        if method.lower() in item and _template_pattern(template).match(path)
    ]
    if not found:
        return None
    _, template, operation = max(found, key=lambda f: f[0])
    return template, operation


def answer_mismatches(spec: dict, method: str, path: str, status: int, body) -> list[str]:
    """What differs between a JSON answer and the document: an undocumented status, a documented status
    without a JSON schema, or a body that does not match the schema (strictly, ``mismatches``)."""
    reached = operation_of(spec, method, path)
    if reached is None:
        return []  # not an API operation of the document (the web pages, OpenRosa)
    template, operation = reached
    responses = operation["responses"]
    documented = responses.get(str(status)) or responses.get("default")
    where = f"{method} {template} {status}"
    if documented is None:
        return [f"{where}: status not documented"]
    schema = resolve(spec, documented).get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return [f"{where}: a JSON answer the document gives no JSON schema"]
    return [f"{where} {problem}" for problem in mismatches(spec, body, schema)]


class DocumentedClient(FlaskClient):
    """A test client that checks every JSON answer of the API against the app's own OpenAPI document (the
    status is documented, and the body matches its schema strictly) and fails the request that differs."""

    _spec: dict | None = None
    #: ``(METHOD, template, status)`` of every checked answer in this process, to see what tests reach.
    seen: set[tuple[str, str, int]] = set()

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        if response.mimetype == "application/json" and request.path.startswith("/api/v1/"):
            if DocumentedClient._spec is None:
                DocumentedClient._spec = super().open("/api/v1/openapi.json").get_json()
            reached = operation_of(DocumentedClient._spec, request.method, request.path)
            if reached:
                DocumentedClient.seen.add((request.method, reached[0], response.status_code))
            problems = answer_mismatches(
                DocumentedClient._spec, request.method, request.path, response.status_code, response.get_json()
            )
            assert not problems, "the answer differs from the OpenAPI document:\n" + "\n".join(problems[:20])
        return response
