"""OpenAPI additions: the one error shape, on every operation it can happen on."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "detail", "fields"],
    "properties": {
        "error": {"type": "string", "description": "A stable code, e.g. `invalid`, `conflict`."},
        "detail": {"type": "string", "description": "A message for people, in their language."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages per field (400 only).",
        },
    },
}
ERRORS = {
    "400": "The request is not valid; `fields` says what to fix.",
    "401": "Not logged in, or the API token is not valid.",
    "403": "Logged in, but not allowed to do this.",
    "404": "Not found, or not yours to see.",
    "409": "The object is not in a state that allows this (for example a suggestion "
    "already decided).",
    "429": "Too many requests; wait the seconds in `Retry-After`.",
}
READ_ONLY = {"get", "head", "options"}


def error_responses(result: dict[str, Any], generator: object, **kwargs: object) -> dict:
    """Add the Error component and the error responses every operation can give."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            public = operation.get("security") and {} in operation["security"]
            codes = ["400", "429"] if method not in READ_ONLY or public else ["429"]
            if method in READ_ONLY and not public:
                codes += ["401", "403"]
            if method not in READ_ONLY:
                codes += ["401", "403", "409"]
            if "{" in path:
                codes.append("404")
            if method == "get" and not public:
                codes.append("400")
            responses = operation.setdefault("responses", {})
            for code in sorted(set(codes)):
                responses.setdefault(
                    code,
                    {"description": ERRORS[code], "content": {"application/json": {"schema": ref}}},
                )
    return result


ID_PATTERN = "^[0-9]{1,18}$"


def integer_ids(result: dict[str, Any], generator: object, **kwargs: object) -> dict:
    """Numeric ids in paths are integers (the router matches at most 18 digits)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if (
                    parameter.get("in") == "path"
                    and parameter["schema"].get("pattern") == ID_PATTERN
                ):
                    parameter["schema"] = {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 999_999_999_999_999_999,
                    }
    return result
