"""The API's documentation as a page of the portal, rendered from the OpenAPI schema.

Swagger UI and ReDoc need inline styles (refused by the portal's Content-Security-Policy) and
fail WCAG 2.1 AA (contrast, nested controls, no page language), so the portal renders the
schema itself: the same endpoints, parameters, bodies and answers, as plain HTML with the
portal's layout. Tools that want the schema read /api/v1/schema/.
"""

import functools

from django.shortcuts import render
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from portal import access

METHODS = ("get", "post", "put", "patch", "delete")


@functools.cache
def schema():
    """The schema, generated once per process: it changes only with the code."""
    with translation.override("en"):
        return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(node, components):
    ref = (node or {}).get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return name, components.get(name, {})
    return None, node or {}


def _type(node, components):
    """A short, readable type: "integer", "string (date)", "list of Figure", "a or b"."""
    name, node = _resolve(node, components)
    if name:
        return name
    if "oneOf" in node:
        return " or ".join(_type(option, components) for option in node["oneOf"])
    if "allOf" in node and len(node["allOf"]) == 1:
        return _type(node["allOf"][0], components)
    kind = node.get("type", "object")
    if kind == "array":
        return f"list of {_type(node.get('items'), components)}"
    if node.get("enum"):
        return f"{kind}: " + ", ".join(str(value) for value in node["enum"] if value != "")
    return f"{kind} ({node['format']})" if node.get("format") else kind


def _fields(node, components):
    """(name, type, required, description) of an object schema's properties."""
    name, node = _resolve(node, components)
    if node.get("type") == "array":
        return _fields(node.get("items"), components)
    required = set(node.get("required", ()))
    return [
        {
            "name": field,
            "type": _type(spec, components),
            "required": field in required,
            "read_only": spec.get("readOnly", False),
            "description": spec.get("description", "")
            or _resolve(spec, components)[1].get("description", ""),
        }
        for field, spec in node.get("properties", {}).items()
    ]


def _object_name(node, components):
    """The name of the object type (of a list's items, too) that `node` refers to."""
    name, node = _resolve(node, components)
    if name is None and node.get("type") == "array":
        name, node = _resolve(node.get("items"), components)
    return name if node.get("properties") else None


def operations(spec):
    """The schema's operations grouped by tag, in the schema's order."""
    components = spec.get("components", {}).get("schemas", {})
    tags = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            responses = []
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {})
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "type": _type(content["schema"], components) if content else "",
                        "object": _object_name(content.get("schema"), components),
                    }
                )
            tag = (operation.get("tags") or ["api"])[0]
            tags.setdefault(tag, []).append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "needs_token": bool(operation.get("security")),
                    "scope": operation.get("x-required-scope", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "in": parameter["in"],
                            "type": _type(parameter.get("schema"), components),
                            "required": parameter.get("required", False),
                            "description": parameter.get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "body": _fields(body["schema"], components) if body else None,
                    "body_type": _type(body["schema"], components) if body else "",
                    "responses": responses,
                }
            )
    return list(tags.items())


def answers(spec):
    """The object types the answers use, with their fields, by name."""
    components = spec.get("components", {}).get("schemas", {})
    return [
        {"name": name, "fields": _fields(node, components)}
        for name, node in sorted(components.items())
        if node.get("properties") and not name.endswith("Request")
    ]


@access.public
def documentation(request):
    spec = schema()
    return render(
        request,
        "portal/api_docs.html",
        {
            "info": spec.get("info", {}),
            "tags": operations(spec),
            "objects": answers(spec),
        },
    )
