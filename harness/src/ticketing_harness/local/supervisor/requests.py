"""The supervisor's control socket: `ticketing restart` asks it to restart processes, in turn."""

from __future__ import annotations

import asyncio
import contextlib
import json

from ticketing_harness.errors import HarnessError
from ticketing_harness.local.notices import Kind, Level, Notice
from ticketing_harness.local.replicas import service_of
from ticketing_harness.local.supervisor.recovery import Note, Recovery, Tell
from ticketing_harness.local.supervisor.startup import Startup


class Requests:
    """Answers each request on the control socket with what happens, until it is done."""

    def __init__(self, startup: Startup, recovery: Recovery, note: Note) -> None:
        self.startup = startup
        self.recovery = recovery
        self.note = note

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One request: `{"restart": [NAME, ...]}`, answered with notices, the last one DONE."""

        def tell(notice: Notice) -> None:
            writer.write(notice.line())

        try:
            request = json.loads(await reader.readline())
            names = self.resolve([str(name) for name in request["restart"]])
            ok = await self.restart_services(names, tell)
            tell(Notice(Kind.DONE, level=Level.INFO if ok else Level.ERROR))
        except HarnessError as error:
            tell(Notice(Kind.DONE, str(error), level=Level.ERROR))
        except (ValueError, KeyError, TypeError):
            tell(Notice(Kind.DONE, "not a request this supervisor knows", level=Level.ERROR))
        with contextlib.suppress(ConnectionError):
            await writer.drain()
            writer.close()
            await writer.wait_closed()

    async def restart_services(self, names: list[str], tell: Tell | None = None) -> bool:
        """Restart each named process, a service's one after another so the others serve.

        A process that does not come back stops its service's round: the rest keep serving.
        """
        by_service: dict[str, list[str]] = {}
        for name in names:
            by_service.setdefault(service_of(name), []).append(name)

        async def rolling(instances: list[str]) -> bool:
            for number, name in enumerate(instances):
                if not await self.recovery.restart(name, tell):
                    if instances[number + 1 :]:
                        kept = ", ".join(instances[number + 1 :])
                        self.note(f"{kept} keep running the code they had", Level.WARNING, tell)
                    return False
            return True

        return all(await asyncio.gather(*(rolling(group) for group in by_service.values())))

    def resolve(self, wanted: list[str]) -> list[str]:
        """Process names for `all`, services (every replica), single processes, servers."""
        known = [component.name for component in self.startup.state.components]
        services = [name for name in known if name in self.startup.instances]
        chosen: list[str] = []
        for item in wanted:
            matches = (
                services
                if item == "all"
                else [name for name in known if name == item or service_of(name) == item]
            )
            if not matches:
                groups = dict.fromkeys(service_of(name) for name in [*services, *known])
                raise HarnessError(
                    f"no service or component {item!r}; choose among all, {', '.join(groups)}"
                )
            chosen.extend(name for name in matches if name not in chosen)
        return chosen
