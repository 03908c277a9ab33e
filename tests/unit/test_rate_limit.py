from bot.gateway.rate_limit import RateLimiter


def test_sliding_window():
    now = [0.0]
    limiter = RateLimiter(3, 60, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # per sender
    now[0] = 61
    assert limiter.allow("a")
