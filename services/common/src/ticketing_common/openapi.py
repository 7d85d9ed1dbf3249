"""How the API documents its errors: every 4xx has the one error body, never FastAPI's 422."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorItem(BaseModel):
    """One problem: its message and, for invalid input, the field at fault."""

    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The body of every error response."""

    errors: list[ErrorItem]


# A "4XX" entry also stops FastAPI from documenting its 422, which this API never answers.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "The request was refused; `errors` says why."}
}
