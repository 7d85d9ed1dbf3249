"""How a run's processes work together: the scenarios' options, the tickets listed before
the start, the moment every user is in, the shape, and the run record the master writes.

Distributed runs use Locust's own messages: the master lists the tickets and sends them to
the workers, counts users in as they arrive, then tells everyone the doors are open; workers
send their tallies with their stats reports and once more when they stop.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from gevent.pool import Pool
from locust import LoadTestShape, events
from locust.argument_parser import LocustArgumentParser
from locust.contrib.fasthttp import FastHttpSession
from locust.env import Environment
from locust.rpc.protocol import Message
from locust.runners import LocalRunner, MasterRunner, WorkerRunner

from ticketing_harness.load.outcomes import Outcome, Tally
from ticketing_harness.load.plan import PlannedTicket, sellers_for, ticket_listings
from ticketing_harness.load.record import RunRecord
from ticketing_harness.load.scenarios.shopper import CREATED, send, sign_up
from ticketing_harness.load.scenarios.state import ARRIVED, OPEN, PLAN, RUN, TALLY
from ticketing_harness.load.settings import doors_deadline

SETUP_CONCURRENCY = 16


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
    RUN.everyone_in.wait(timeout=doors_deadline(options.num_users, options.spawn_rate))
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
