"""OpenAPI schema post-processing: the error answers every endpoint really gives, and times
as the API writes them. Registered in SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]."""

ERROR_COMPONENTS = {
    "Error": {
        "type": "object",
        "description": 'Every error that is not about the input: ``{"detail": "…"}``.',
        "properties": {
            "detail": {"type": "string"},
            "code": {
                "type": "string",
                "description": "Set when a caller acts on it, e.g. mfa_setup_required.",
            },
        },
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": (
            "The input is wrong: each field's problems by name (``non_field_errors``: the whole "
            "body; worksheet answers and activity content: a list of ``{path, message}``), or "
            "``detail`` when the body could not be parsed."
        ),
        "additionalProperties": {},
    },
}


def _answer(component: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


BAD_REQUEST = _answer("ValidationError", "The input is wrong; nothing was changed.")
UNAUTHENTICATED = _answer("Error", "No valid session or API token.")
FORBIDDEN = _answer(
    "Error",
    "Not allowed: the role does not permit it, two-factor setup is required first, or a "
    "session request lacks its CSRF token.",
)
NOT_FOUND = _answer("Error", "No such object among those the caller may see, or no such page.")
# An id that is not a UUID is not found by the URL resolver, before the API: Django's own page.
NOT_FOUND["content"]["text/html"] = {"schema": {"type": "string"}}
TOO_LARGE = _answer("Error", "The body is over the upload limit.")
UNSUPPORTED_MEDIA_TYPE = _answer("Error", "The body's content type is not one this reads.")
THROTTLED = _answer("Error", "Too many requests; retry after the seconds in Retry-After.")

# DRF writes a time as Python's isoformat of a naive time (``21:00:00``), which JSON Schema's
# ``time`` format (RFC 3339, with an offset) rejects; it reads ``21:00`` too.
TIME = {
    "type": "string",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
    "example": "21:00:00",
}


def _error_answers(path: str, method: str, operation: dict) -> dict:
    answers = {"401": UNAUTHENTICATED, "403": FORBIDDEN, "429": THROTTLED}
    has_body = "requestBody" in operation
    # Actions check the object's state too (pausing a paused enrolment, removing the last owner).
    changes = method.upper() != "GET"
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
    is_page = ok.get("schema", {}).get("$ref", "").startswith("#/components/schemas/Paginated")
    if changes or has_query:
        answers["400"] = BAD_REQUEST
    if "{" in path or is_page:  # an unknown id, or ?page= past the end
        answers["404"] = NOT_FOUND
    if has_body:
        answers["413"] = TOO_LARGE
        answers["415"] = UNSUPPORTED_MEDIA_TYPE
    return answers


def _plain_times(node):
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            rest = {key: value for key, value in node.items() if key not in ("format", "type")}
            return {**TIME, **rest}
        return {key: _plain_times(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain_times(item) for item in node]
    return node


def document_errors(result, generator, request, public):
    """Add the error answers to every operation (an endpoint's own ``extend_schema`` for a
    status code wins) and describe times as they are written."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, answer in _error_answers(path, method, operation).items():
                operation["responses"].setdefault(code, answer)
            operation["responses"] = dict(
                sorted(operation["responses"].items(), key=lambda item: item[0])
            )
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ERROR_COMPONENTS)
    return _plain_times(result)
