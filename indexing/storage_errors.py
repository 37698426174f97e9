"""Redis failures leave storage as one domain error, StorageUnavailableError, so callers answer
'storage down' clearly whichever storage class they called."""
from __future__ import annotations

import functools
import inspect

import redis

from indexing.errors import StorageUnavailableError

REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, OSError)


def as_storage_error(exc: Exception) -> StorageUnavailableError:
    if isinstance(exc, redis.ResponseError):  # e.g. MISCONF (disk full), LOADING, OOM
        return StorageUnavailableError(f"Redis refused the command: {exc}")
    return StorageUnavailableError(f"Redis is unreachable: {exc}")


def _storage_errors(method):
    """One method's Redis failures as StorageUnavailableError.

    Generators (iter_vectors) fail while they are consumed, so they are wrapped as generators.
    """
    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def generator(*args, **kwargs):
            try:
                yield from method(*args, **kwargs)
            except (*REDIS_DOWN, redis.ResponseError) as exc:
                raise as_storage_error(exc) from exc
        return generator

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (*REDIS_DOWN, redis.ResponseError) as exc:
            raise as_storage_error(exc) from exc
    return wrapper


def public_methods_raise_storage_errors(cls):
    """Class decorator: every public method of a storage class raises StorageUnavailableError, never redis's."""
    for name, value in list(vars(cls).items()):
        if callable(value) and not name.startswith("_"):
            setattr(cls, name, _storage_errors(value))
    return cls
