"""What the pages depend on: the running client."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from client.bootstrap import Client
from ticketing_common.service import service_dependency

ClientDep = Annotated[Client, Depends(service_dependency(Client))]
