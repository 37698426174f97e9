from bot.throttle import Throttle


def test_a_burst_then_the_rate():
    th = Throttle(per_minute=30, burst=3)
    for _ in range(3):
        assert th.wait_s(1, now=0.0) == 0.0
        th.take(1, now=0.0)
    assert th.wait_s(1, now=0.0) == 2.0  # one request per 2 s at 30/min
    assert th.wait_s(2, now=0.0) == 0.0  # others are not affected
    assert th.wait_s(1, now=1.5) == 0.5
    assert th.wait_s(1, now=2.0) == 0.0  # refilled


def test_a_debt_is_waited_out():
    th = Throttle(per_minute=60, burst=1)
    th.take(1, now=0.0)
    th.take(1, now=0.0)  # an album's second part: taken without a token
    assert th.wait_s(1, now=0.0) == 2.0


def test_zero_rate_means_no_limit():
    th = Throttle(per_minute=0, burst=1)
    for _ in range(100):
        th.take(1, now=0.0)
    assert th.wait_s(1, now=0.0) == 0.0
