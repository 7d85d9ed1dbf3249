"""What the payments routes depend on: the running service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from payments.bootstrap import Payments
from ticketing_common.service import service_dependency

PaymentsDep = Annotated[Payments, Depends(service_dependency(Payments))]
