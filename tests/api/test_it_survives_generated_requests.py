"""Every operation of the OpenAPI document, fed requests generated from the document itself, as
an administrator and as a village cadre: no server error, and every answer as documented.

The requests go to the Django application in this process (no server). `make test` runs a few
examples per operation (MAQUE_FUZZ_EXAMPLES, 4 by default); `make fuzz` runs many more.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from maque.api.services import token_issue
from maque.api_root import api as ninja_api

EXAMPLES = int(os.environ.get("MAQUE_FUZZ_EXAMPLES", "4"))


DOCUMENT = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
# Revoking the token would leave the rest of the run unauthenticated (tests/api/test_auth.py).
SKIPPED = {("DELETE", "/api/v1/auth/token")}
OPERATIONS = sorted(
    (method.upper(), path)
    for path, methods in DOCUMENT["paths"].items()
    for method in methods
    if (method.upper(), path) not in SKIPPED
)
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture(scope="module")
def openapi() -> Any:
    loaded = schemathesis.openapi.from_dict(DOCUMENT)
    loaded.app = WSGIHandler()
    return loaded


@pytest.fixture(autouse=True)
def _keep_the_connection() -> Any:
    """As Django's test client does: a request must not close the test's database connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _bearer(persona: str) -> dict[str, str]:
    if persona == "admin":
        get_user_model().objects.create_superuser(username="admin", password="pw-admin")
    issued = token_issue(request=None, username=persona, password="pw-" + persona)
    return {"Authorization": f"Bearer {issued.token}"}


def _run(openapi: Any, method: str, path: str, headers: dict[str, str]) -> None:
    operation = openapi[path][method]

    # Valid requests, and requests that break the document's rules (those must be refused, 4xx).
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink]
        if EXAMPLES > 10
        else [Phase.explicit, Phase.generate],
    )
    def call(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_it_answers_as_documented_to_an_admin(
    world: Any, openapi: Any, method: str, path: str
) -> None:
    """An administrator: the whole deployment, and no person record of its own."""
    _run(openapi, method, path, _bearer("admin"))


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_it_answers_as_documented_to_a_cadre(
    world: Any, openapi: Any, method: str, path: str
) -> None:
    """A cadre of one village: a narrow scope, refused most writes."""
    _run(openapi, method, path, _bearer("cadre_gaige"))
