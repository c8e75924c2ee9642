"""The API's own error responses, raised by handlers and rendered as the real API renders them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ApiError(Exception):
    """An HTTP error answered to the client, with the body ``{"error": {...}}`` the real API sends.

    Raised anywhere below the router; the router turns it into a response, so the SDK raises the
    same exception class (``NotFoundError``, ``BadRequestError``...) it raises against the real API.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body, exactly the real API's keys."""
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def not_found(kind: str, object_id: str) -> ApiError:
    """404 as the API words it: ``No thread found with id 'thread_x'.``"""
    return ApiError(404, f"No {kind} found with id '{object_id}'.")


def missing(param: str) -> ApiError:
    return ApiError(
        400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def invalid_value(param: str, value: Any, supported: list[Any] | None = None) -> ApiError:
    message = f"Invalid value: {_show(value)}."
    if supported:
        message += f" Supported values are: {_join(supported)}."
    return ApiError(400, message, param=param, code="invalid_value")


def unauthorized() -> ApiError:
    return ApiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header "
        "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from "
        "https://platform.openai.com/account/api-keys.",
    )


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _join(values: list[Any]) -> str:
    shown = [_show(v) for v in values]
    if len(shown) == 1:
        return shown[0]
    if len(shown) == 2:
        return f"{shown[0]} and {shown[1]}"
    return ", ".join(shown[:-1]) + f", and {shown[-1]}"
