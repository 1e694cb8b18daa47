"""A bounded, deterministic property-based run over the OpenAPI: input of any shape,
valid or not, must get a documented answer (4xx problem+json for bad input), never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from amends.app import create_app
from amends.clock import FrozenClock
from amends.config import Settings
from tests.conftest import Cast
from tests.helpers import make_case, make_customer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def roomy(settings: Settings, clock: FrozenClock, engine: Engine) -> Iterator[TestClient]:
    """Generated bodies reach megabytes; the body cap (tests/security) is not under test."""
    app = create_app(
        settings.model_copy(update={"max_api_body": 256 * 1024 * 1024}), clock=clock, engine=engine
    )
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.slow
def test_api_never_fails_on_generated_input(roomy: TestClient, cast: Cast) -> None:
    client = roomy
    # Some real rows, so generated ids sometimes hit something that exists.
    customer = make_customer(client, cast.owner)
    make_case(client, cast.owner, customer["id"], cast.agent.id)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                derandomize=True,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def run(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=cast.owner.headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # An operation with no inputs (e.g. /me) has no invalid form to generate.
                assert mode is GenerationMode.NEGATIVE, operation.label
