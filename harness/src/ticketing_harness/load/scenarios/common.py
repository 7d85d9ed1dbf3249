"""What every scenario shares: its options, the tickets listed before it starts, the moment
every user is in, the shape, the tally users keep and the run record the master writes.

Distributed runs use Locust's own messages: the master lists the tickets and sends them to
the workers, counts users in as they arrive, then tells everyone the doors are open; workers
send their tallies with their stats reports and once more when they stop.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent
from gevent.event import Event
from gevent.pool import Pool
from locust import FastHttpUser, LoadTestShape, events
from locust.argument_parser import LocustArgumentParser
from locust.contrib.fasthttp import FastHttpSession, FastResponse
from locust.env import Environment
from locust.rpc.protocol import Message
from locust.runners import LocalRunner, MasterRunner, WorkerRunner

from ticketing_harness.load.outcomes import (
    ALREADY_RESERVED,
    Answer,
    Expected,
    Outcome,
    Tally,
    classify,
)
from ticketing_harness.load.plan import PlannedTicket, sellers_for, ticket_listings
from ticketing_harness.load.record import RunRecord
from ticketing_harness.load.settings import DOORS_GRACE_SECONDS

ARRIVED, PLAN, OPEN, TALLY = (
    "ticketing:arrived",
    "ticketing:plan",
    "ticketing:open",
    "ticketing:tally",
)
SIGN_UP_TRIES = 10
SETUP_CONCURRENCY = 16
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


class RunState:
    """This process's part of the run."""

    def __init__(self) -> None:
        self.tickets: list[PlannedTicket] = []
        self.opened = Event()  # every user is in: the sale is open
        self.tally = Tally()
        self.record: RunRecord | None = None  # on the master (or the only process)
        self.arrived = 0
        self.everyone_in = Event()


RUN = RunState()


@events.init_command_line_parser.add_listener
def _options(parser: LocustArgumentParser) -> None:
    group = parser.add_argument_group("ticketing", "Options of the ticketing scenarios")
    group.add_argument("--tickets", type=int, default=50, help="Tickets listed before the start")
    group.add_argument("--hot", type=int, default=5, help="How many of them most buyers want")
    group.add_argument(
        "--duration", type=float, default=30.0, help="Seconds the load lasts once every user is in"
    )
    group.add_argument("--run-id", default="", help="Tags the run's data [default: random]")
    group.add_argument("--run-file", default="", help="Where the master writes the run record")


@events.init.add_listener
def _wire(environment: Environment, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, MasterRunner | LocalRunner):
        runner.register_message(ARRIVED, _on_arrived)
        runner.register_message(TALLY, _on_tally)
        environment.events.test_start.add_listener(_prepare)
        environment.events.test_stop.add_listener(_on_test_stop)
        environment.events.worker_report.add_listener(_on_worker_report)
        environment.events.quit.add_listener(lambda **_: _write_record(environment))
    if isinstance(runner, WorkerRunner | LocalRunner):
        runner.register_message(PLAN, _on_plan)
        runner.register_message(OPEN, _on_open)
    if isinstance(runner, WorkerRunner):
        environment.events.report_to_master.add_listener(_report_tally)
        environment.events.test_stop.add_listener(lambda **_: _send_final_tally(environment))


# --- on the master (or the only process) ---------------------------------------------------


def _prepare(environment: Environment, **_: Any) -> None:
    """List the run's tickets, send them to every user, then wait for everyone to come in."""
    options = environment.parsed_options
    assert options is not None and environment.runner is not None
    run_id = options.run_id or uuid.uuid4().hex[:8]
    workers = environment.runner.worker_count if isinstance(environment.runner, MasterRunner) else 0
    tickets = _list_tickets(environment, run_id, options.tickets, options.hot)
    RUN.record = RunRecord(
        scenario=Path(options.locustfile).stem,
        run_id=run_id,
        host=environment.host or "",
        users=options.num_users,
        workers=workers,
        started_at=time.time(),
        tickets=tickets,
    )
    environment.runner.send_message(PLAN, {"tickets": [ticket.to_json() for ticket in tickets]})
    gevent.spawn(_open_doors, environment)


def _list_tickets(
    environment: Environment, run_id: str, count: int, hot: int
) -> list[PlannedTicket]:
    """Sellers sign up and list the tickets, several at once; a listing that fails is left out."""
    listings = ticket_listings(run_id, count, hot)
    pool = Pool(SETUP_CONCURRENCY)
    sellers = [
        seller
        for seller in pool.imap(lambda _: _signed_up_seller(environment), range(sellers_for(count)))
        if seller is not None
    ]
    if not sellers:
        return []

    def list_one(index: int) -> PlannedTicket | None:
        title, price, is_hot = listings[index]
        session = sellers[index % len(sellers)]
        body = {"title": title, "price": float(price)}
        reply = send(session, "list a ticket", "POST", "/api/tickets", CREATED, body)
        if reply.outcome is not Outcome.OK or reply.body is None:
            return None
        return PlannedTicket(str(reply.body["id"]), title, price, is_hot)

    return [ticket for ticket in pool.imap(list_one, range(len(listings))) if ticket is not None]


def _signed_up_seller(environment: Environment) -> FastHttpSession | None:
    session = FastHttpSession(environment.host, environment.events.request, user=None)
    return session if sign_up(session, "seller") is not None else None


def _open_doors(environment: Environment) -> None:
    """Open once every user is in, or when the stragglers have had their time."""
    options = environment.parsed_options
    assert options is not None and environment.runner is not None and RUN.record is not None
    ramp = options.num_users / options.spawn_rate
    RUN.everyone_in.wait(timeout=ramp + DOORS_GRACE_SECONDS)
    RUN.record.opened_at = time.time()
    environment.runner.send_message(OPEN, {})


def _on_arrived(environment: Environment, msg: Message, **_: Any) -> None:
    options = environment.parsed_options
    assert options is not None
    RUN.arrived += 1
    if RUN.arrived >= options.num_users:
        RUN.everyone_in.set()


def _on_tally(environment: Environment, msg: Message, **_: Any) -> None:
    RUN.tally.merge(Tally.from_json(msg.data))


def _on_worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    if "ticketing" in data:
        RUN.tally.merge(Tally.from_json(data["ticketing"]))


def _on_test_stop(environment: Environment, **_: Any) -> None:
    if RUN.record is not None:
        RUN.record.ended_at = time.time()


def _write_record(environment: Environment) -> None:
    """Once every worker's last report is in, the run record goes where --run-file says."""
    options = environment.parsed_options
    if RUN.record is None or options is None or not options.run_file:
        return
    RUN.record.tally = RUN.tally
    RUN.record.save(Path(options.run_file))


# --- where the users run ------------------------------------------------------------------


def _on_plan(environment: Environment, msg: Message, **_: Any) -> None:
    RUN.tickets = [PlannedTicket.from_json(raw) for raw in msg.data["tickets"]]


def _on_open(environment: Environment, msg: Message, **_: Any) -> None:
    RUN.opened.set()


def _report_tally(client_id: str, data: dict[str, Any], **_: Any) -> None:
    data["ticketing"] = RUN.tally.drain().to_json()


def _send_final_tally(environment: Environment) -> None:
    assert environment.runner is not None
    environment.runner.send_message(TALLY, RUN.tally.drain().to_json())


class EveryoneInThenHold(LoadTestShape):
    """Ramp to --users at --spawn-rate; once every user is in, hold for --duration, then stop.

    In a drop the ramp is the queue before the sale: users sign up and wait, and the moment
    every one of them is in, all of them go for the tickets at once.
    """

    use_common_options = True

    def tick(self) -> tuple[int, float] | None:
        assert self.runner is not None
        options = self.runner.environment.parsed_options
        assert options is not None
        record = RUN.record
        opened_at = record.opened_at if record is not None else None
        if opened_at is not None and time.time() >= opened_at + options.duration:
            return None
        return options.num_users, options.spawn_rate


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


# --- requests -------------------------------------------------------------------------------


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
        reply = send(session, "sign up", "POST", "/api/users/signup", CREATED, credentials)
        if reply.outcome is not Outcome.THROTTLED:
            return credentials if reply.outcome is Outcome.OK else None
        gevent.sleep(reply.retry_after)
    return None


def _answer(response: FastResponse) -> Answer:
    status = response.status_code or 0
    if status == 0:
        error = getattr(response, "error", None)
        return Answer(
            0, type(error).__name__, timed_out=isinstance(error, TimeoutError | gevent.Timeout)
        )
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
