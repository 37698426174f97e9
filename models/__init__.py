"""Pure compute: pixels and text in, float32 vectors and scores out.

Nothing here knows about Redis, Telegram, asyncio or the environment; callers pass
every setting in explicitly.
"""
