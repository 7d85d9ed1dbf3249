"""The exception family every service raises; the HTTP layer renders it in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of an error response: a message and, for input errors, the field."""

    message: str
    field: str | None = None

    def to_json(self) -> dict[str, str]:
        body = {"message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body


class AppError(Exception):
    """Base of the errors a user can cause; each has an HTTP status (and maybe headers)."""

    status_code: int = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.details = [ErrorDetail(message, field)]
        self.headers: dict[str, str] = {}

    @property
    def message(self) -> str:
        return self.details[0].message


class BadRequest(AppError):
    """A request that breaks a business rule, e.g. editing a reserved ticket."""


class NotAuthorized(AppError):
    """No valid session: absent, expired or tampered."""

    status_code = 401

    def __init__(self, message: str = "Not authorized") -> None:
        super().__init__(message)


class Forbidden(AppError):
    """Signed in, but not the owner of the resource."""

    status_code = 403

    def __init__(self, message: str = "Forbidden") -> None:
        super().__init__(message)


class NotFound(AppError):
    """The resource (or route) does not exist."""

    status_code = 404

    def __init__(self, message: str = "Not Found") -> None:
        super().__init__(message)


class Conflict(AppError):
    """A write lost an optimistic-concurrency race: the version it read is stale."""

    status_code = 409

    def __init__(self, message: str = "The resource was changed by someone else") -> None:
        super().__init__(message)


class PaymentFailed(AppError):
    """The payment provider declined the charge."""

    status_code = 402


class TooManyRequests(AppError):
    """429: the client tried too often; `Retry-After` says when it may try again."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.headers["Retry-After"] = str(retry_after)


class ServiceBusy(AppError):
    """503: the service refuses work it cannot start soon; `Retry-After` says when to retry."""

    status_code = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.headers["Retry-After"] = str(retry_after)


class ContractViolation(Exception):
    """An event payload does not match its contract; never sent, never handled."""

    def __init__(self, event_type: str, reason: str) -> None:
        super().__init__(f"{event_type}: {reason}")
        self.event_type = event_type
        self.reason = reason
