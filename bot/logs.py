"""The bot token kept out of the logs."""
from __future__ import annotations

import logging


class RedactSecrets(logging.Filter):
    """Replaces the bot token wherever it would appear in a log line (URLs of the HTTP client...)."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(s in message for s in self.secrets):
            for s in self.secrets:
                message = message.replace(s, "[redacted]")
            record.msg, record.args = message, None
        return True


def protect_logs(token: str) -> None:
    """Token out of every handler's output; httpx's per-request INFO lines (URLs carry the token) off."""
    redact = RedactSecrets(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
