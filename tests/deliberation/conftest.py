"""The API tests' clients (a bearer token per persona) for the deliberation tests."""

from tests.api.conftest import api  # noqa: F401 - a fixture, used by name
