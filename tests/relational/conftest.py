"""The real API server and world builder of tests/service, reused for the relational features."""

from tests.service.conftest import api, world  # noqa: F401
