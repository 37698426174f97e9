import asyncio

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.retry import RetryingRateLimiter, is_transient


def test_only_telegrams_transient_failures_are_retried():
    assert is_transient(NetworkError("Internal Server Error (500)"))  # how python-telegram-bot reports a 5xx
    assert is_transient(NetworkError("Bad Gateway"))
    assert is_transient(TimedOut())
    assert not is_transient(BadRequest("Bad Request: message text is empty"))  # a NetworkError subclass
    assert not is_transient(Forbidden("Forbidden: bot was kicked from the group chat"))
    assert not is_transient(RetryAfter(3))  # AIORateLimiter waits those out


def test_a_chat_action_is_sent_only_when_the_flood_limits_have_room():
    async def scenario():
        limiter = RetryingRateLimiter(group_max_rate=3, group_time_period=60)
        sent: list[tuple[str, int]] = []

        async def call(endpoint, chat_id):
            async def callback():
                sent.append((endpoint, chat_id))
                return {"ok": True}

            return await limiter.process_request(callback, (), {}, endpoint, {"chat_id": chat_id}, None)

        assert await call("sendChatAction", -100) is not None  # the group has room: sent
        for _ in range(2):
            await call("sendMessage", -100)  # the group's 3 a minute are spent
        assert await call("sendChatAction", -100) is True  # skipped, not waited for a minute
        await call("sendChatAction", 42)  # a private chat is not held up by a group's budget
        await call("sendChatAction", -200)  # nor another group
        return sent

    sent = asyncio.run(asyncio.wait_for(scenario(), 5))
    assert sent == [("sendChatAction", -100), ("sendMessage", -100), ("sendMessage", -100),
                    ("sendChatAction", 42), ("sendChatAction", -200)]
