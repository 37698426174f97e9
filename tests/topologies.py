"""Run a test file's store tests on both Redis topologies: `from tests.topologies import redis_topology`
replaces conftest's fixture of the same name (a single server) with this parametrised one."""
from __future__ import annotations

import pytest


@pytest.fixture(params=["single", "cluster"])
def redis_topology(request) -> str:
    return request.param
