"""Process-wide logging: one JSON object per line, each naming the service and, while a request
or an event is handled, its correlation and causation ids."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from ticketing_common.tracing import current_cause


class JsonLineFormatter(logging.Formatter):
    """Render a record as one JSON line; a traceback stays inside the line, escaped."""

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service_name,
            "logger": record.name,
            "message": record.getMessage(),
        }
        cause = current_cause()
        if cause is not None:
            entry["correlation_id"] = cause.correlation_id
            entry["causation_id"] = cause.causation_id
        # Structured details a caller passes as `extra={"fields": {...}}`.
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(service_name: str, level: str | int = "INFO") -> None:
    """Send every record (uvicorn's too) to stderr as JSON lines; replaces earlier handlers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter(service_name))
    logging.basicConfig(handlers=[handler], level=level, force=True)
