from bot.throttle import Throttle


def test_a_burst_then_the_rate_and_one_warning_per_flood():
    th = Throttle(per_minute=30, burst=3)
    assert [th.allow(1, now=0.0) for _ in range(3)] == [(True, False)] * 3
    assert th.allow(1, now=0.1) == (False, True)  # refused, told so
    assert th.allow(1, now=0.2) == (False, False)  # refused quietly
    assert th.allow(2, now=0.2) == (True, False)  # others are not affected
    assert th.wait_s(1) == 2  # one request per 2 s at 30/min
    assert th.allow(1, now=2.2) == (True, False)  # refilled
    assert th.allow(1, now=2.3) == (False, True)  # a new flood is told again


def test_zero_rate_means_no_limit():
    th = Throttle(per_minute=0, burst=1)
    assert all(th.allow(1, now=0.0) == (True, False) for _ in range(100))
