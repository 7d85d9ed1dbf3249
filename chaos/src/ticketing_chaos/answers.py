"""I8 every HTTP answer the workload got was allowed for its request and documented by the API."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from ticketing_chaos.live.journal import Journal
from ticketing_chaos.workload.api import ENDPOINTS, Endpoint
from ticketing_chaos.workload.history import Operation
from ticketing_harness.evidence.results import CheckResult, Violation

# What the gateway answers while the service behind it is down.
_GATEWAY_ERRORS = {502, 503, 504}


def answers_allowed(journal: Journal) -> CheckResult:
    """No 5xx (unless the plan had that service down), nothing the API does not document."""
    violations = []
    for operation in journal.operations:
        problem = _problem(journal, operation)
        if problem is not None:
            violations.append(Violation(f"{operation.line()}: {problem}", _entities(operation)))
    return CheckResult(
        "I8",
        "every HTTP answer was allowed and documented",
        f"{len(journal.operations)} requests",
        violations,
    )


def _problem(journal: Journal, operation: Operation) -> str | None:
    endpoint = ENDPOINTS[operation.op]
    if operation.status is None or operation.status in _GATEWAY_ERRORS:
        if _during_outage(journal, endpoint.service, operation):
            return None
        return "no answer from a running service" if operation.status is None else "server error"
    if operation.status == 429 and operation.headers:
        return None  # a rate limit that said when to come back
    if operation.status not in endpoint.allowed:
        return f"{operation.status} is not an answer this request allows"
    return _undocumented(journal.openapi[endpoint.service], endpoint, operation)


def _during_outage(journal: Journal, service: str, operation: Operation) -> bool:
    start = journal.epoch + operation.invoked
    end = journal.epoch + (
        operation.completed if operation.completed is not None else operation.invoked
    )
    return any(
        outage.component == service
        and outage.down_at <= end
        and start <= (outage.up_at if outage.up_at is not None else float("inf"))
        for outage in journal.outages
    )


def _undocumented(document: dict[str, Any], endpoint: Endpoint, operation: Operation) -> str | None:
    """Whether the service's OpenAPI document lists the status and the body fits its schema."""
    responses = document["paths"][_template(document, endpoint)][endpoint.method.lower()][
        "responses"
    ]
    status = str(operation.status)
    response = responses.get(status) or responses.get(f"{status[0]}XX")
    if response is None:
        return f"{status} is not documented for {endpoint.method} {endpoint.route}"
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None if operation.body is None else f"{status} should have no body"
    validator = Draft202012Validator({**schema, "components": document.get("components", {})})
    error = next(iter(validator.iter_errors(operation.body)), None)
    return None if error is None else f"body does not fit the documented schema: {error.message}"


def _template(document: dict[str, Any], endpoint: Endpoint) -> str:
    """The document's path for a route: the same, with its own parameter names."""
    wanted = endpoint.route.split("/")
    for path in document["paths"]:
        parts = path.split("/")
        if len(parts) == len(wanted) and all(
            p == w or (p.startswith("{") and w.startswith("{"))
            for p, w in zip(parts, wanted, strict=True)
        ):
            return str(path)
    raise KeyError(f"{endpoint.route} is not in the {endpoint.service} API")


def _entities(operation: Operation) -> tuple[str, ...]:
    body = operation.body if isinstance(operation.body, dict) else {}
    return tuple(str(v) for k, v in body.items() if k in ("id", "ticketId", "orderId"))
