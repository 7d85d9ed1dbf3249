"""The marketplace's users as Locust sees them: requests sorted into outcomes and tallied."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import gevent
from locust import FastHttpUser
from locust.contrib.fasthttp import FastHttpSession, FastResponse

from ticketing_harness.load.outcomes import ALREADY_RESERVED, Answer, Expected, Outcome, classify
from ticketing_harness.load.scenarios.state import ARRIVED, RUN

SIGN_UP_TRIES = 10
NOT_YET_TRIES = 40
NOT_YET_WAIT = 0.25  # seconds between tries while a record replicates
TEST_CARD = "pm_card_visa"
CREATED: Expected = {(201, None): Outcome.OK}
RESERVE: Expected = {
    (201, None): Outcome.OK,
    (400, ALREADY_RESERVED): Outcome.LOST,
    (404, None): Outcome.NOT_YET,
}
PAY: Expected = {
    (201, None): Outcome.OK,
    (404, None): Outcome.NOT_YET,
    (400, "Cannot pay for a cancelled order"): Outcome.REFUSED,
}
CANCEL: Expected = {(204, None): Outcome.OK}


class Shopper(FastHttpUser):
    """A user of the marketplace: its requests are tallied; it says when it is in."""

    abstract = True
    network_timeout = 30.0
    connection_timeout = 10.0
    credentials: dict[str, str] | None = None

    def send(
        self, step: str, method: str, path: str, expected: Expected, body: Any = None
    ) -> Reply:
        return send(self.client, step, method, path, expected, body)

    def sign_up(self) -> bool:
        self.credentials = sign_up(self.client, "buyer")
        return self.credentials is not None

    def arrive(self) -> None:
        """Tell the master this user is in (signed up, or given up trying)."""
        assert self.environment.runner is not None
        self.environment.runner.send_message(ARRIVED, {})

    def wait_for_the_opening(self) -> None:
        """Wait until every user is in, then come back on a new connection: the gateway
        closes a connection idle for long, and a request sent on it as it closes is lost."""
        RUN.opened.wait()
        self.client.client.close()

    def reserve(self, ticket_id: str) -> Reply:
        """Try to order a ticket; a winner's order is tallied."""
        reply = self.send("reserve", "POST", "/api/orders", RESERVE, {"ticketId": ticket_id})
        if reply.outcome is Outcome.OK:
            RUN.tally.won.append((str(reply.body["id"]), ticket_id))
        return reply

    def pay(self, order_id: str) -> Outcome:
        """Pay with the test card, waiting while payments has not heard of the order yet."""
        body = {"orderId": order_id, "token": TEST_CARD}
        for _ in range(NOT_YET_TRIES):
            reply = self.send("pay", "POST", "/api/payments", PAY, body)
            if reply.outcome is Outcome.OK:
                RUN.tally.paid.append(order_id)
            if reply.outcome not in (Outcome.NOT_YET, Outcome.THROTTLED):
                return reply.outcome
            gevent.sleep(reply.retry_after if reply.outcome is Outcome.THROTTLED else NOT_YET_WAIT)
        return Outcome.NOT_YET

    def cancel(self, order_id: str) -> Outcome:
        reply = self.send("cancel", "DELETE", f"/api/orders/{order_id}", CANCEL)
        if reply.outcome is Outcome.OK:
            RUN.tally.cancelled.append(order_id)
        return reply.outcome


@dataclass(frozen=True)
class Reply:
    """A request's outcome, its JSON body when it succeeded, and how long to wait if throttled."""

    outcome: Outcome
    body: Any
    retry_after: float


def send(
    session: FastHttpSession,
    step: str,
    method: str,
    path: str,
    expected: Expected,
    body: Any = None,
) -> Reply:
    """Send a request named `step` in Locust's stats; failures are marked there and tallied."""
    with session.request(method, path, name=step, json=body, catch_response=True) as response:
        answer = _answer(response)
        outcome = classify(answer, expected)
        if outcome.failed:
            response.failure(f"{outcome.value}: {answer}")
        else:
            response.success()
    RUN.tally.count(step, outcome, answer)
    ok = 200 <= answer.status < 300
    return Reply(outcome, _json(response) if ok else None, _retry_after(response))


def sign_up(session: FastHttpSession, role: str) -> dict[str, str] | None:
    """A new account, signed in: its credentials; waits as told when throttled, then gives up."""
    email = f"{role}-{uuid.uuid4().hex}@example.com"
    credentials = {"email": email, "password": secrets.token_urlsafe(12)}
    for _ in range(SIGN_UP_TRIES):
        with RUN.sign_ups:
            reply = send(session, "sign up", "POST", "/api/users/signup", CREATED, credentials)
        if reply.outcome is not Outcome.THROTTLED:
            return credentials if reply.outcome is Outcome.OK else None
        gevent.sleep(reply.retry_after)
    return None


def _answer(response: FastResponse) -> Answer:
    status = response.status_code or 0
    if status == 0:
        error = getattr(response, "error", None)
        # geventhttpclient wraps the last error of its tries in `original`
        cause = getattr(error, "original", None) or error
        timed_out = isinstance(cause, TimeoutError | gevent.Timeout)
        return Answer(0, type(cause).__name__, timed_out=timed_out)
    message = None
    if status >= 400:
        body = _json(response)
        if isinstance(body, dict) and body.get("errors"):
            message = str(body["errors"][0].get("message"))
    return Answer(status, message)


def _json(response: FastResponse) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after(response: FastResponse) -> float:
    value = response.headers.get("Retry-After") if response.headers else None
    try:
        return max(float(str(value)), 0.1) if value else 1.0
    except ValueError:
        return 1.0
