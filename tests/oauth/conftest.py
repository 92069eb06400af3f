from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.oauth.authserver import AuthServer


@pytest.fixture
def auth_server() -> Iterator[AuthServer]:
    server = AuthServer().start()
    yield server
    server.stop()
