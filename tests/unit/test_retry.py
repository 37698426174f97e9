from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.retry import is_transient


def test_only_telegrams_transient_failures_are_retried():
    assert is_transient(NetworkError("Internal Server Error (500)"))  # how python-telegram-bot reports a 5xx
    assert is_transient(NetworkError("Bad Gateway"))
    assert is_transient(TimedOut())
    assert not is_transient(BadRequest("Bad Request: message text is empty"))  # a NetworkError subclass
    assert not is_transient(Forbidden("Forbidden: bot was kicked from the group chat"))
    assert not is_transient(RetryAfter(3))  # AIORateLimiter waits those out
