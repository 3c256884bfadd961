"""One fakesnow server for the whole session: each test module uses its own database."""

from tests.production.snowflake_server import (
    snowflake_server_fixture,  # noqa: F401 – the `snowflake_server` fixture
)
