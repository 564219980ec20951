"""siasim's pytest plugin: the mocks as fixtures for any test suite.

Installed with siasim (the ``pytest11`` entry point ``siasim``), so a suite that has siasim
installed has the fixtures with no configuration:

- ``marketo_mock``: a :class:`~siasim.inprocess.MarketoMock`;
- ``salesforce_mock``: a :class:`~siasim.inprocess.SalesforceMock` (over HTTPS);
- ``siasim_stack``: a :class:`~siasim.inprocess.Stack`, both mocks with Marketo's own
  Salesforce sync between them and the reference SIA, synced.

Each is one real server per session (per worker under ``pytest -n``: every worker its
own, on its own free ports), reset before every test to the world the test asks for with
the ``siasim_world`` marker (on the test, its class or its module) or as the fixture's
parameter (``indirect=True``), else the tiny world of seed 1. ``-p no:siasim`` turns it off.

The plugin imports nothing heavy until a fixture is used: suites that never ask for one
(the project's own, the conformance kit) pay nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from siasim.inprocess import MarketoMock, SalesforceMock, Stack

MARKER = "siasim_world"
_WORLD_KEYS = ("profile", "seed", "people", "scenario", "empty")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(profile='tiny', seed=1, people=None, scenario=None, "
                   "empty=False): the world siasim's fixtures (marketo_mock, "
                   "salesforce_mock, siasim_stack) reset to before this test")


def world_for(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The world a test asks for: the fixture's parameter, else the closest marker."""
    param = getattr(request, "param", None)
    if param is not None:
        return _checked(param, f"the parameter of {request.fixturename}")
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keywords only "
                                f"({', '.join(_WORLD_KEYS)})")
    return _checked(marker.kwargs, f"@pytest.mark.{MARKER}")


def _checked(world: Any, where: str) -> dict[str, Any]:
    if isinstance(world, str):  # a profile's name: "tiny", "default"
        world = {"profile": world}
    if not isinstance(world, dict):
        raise pytest.UsageError(f"{where}: a world is a dict of {', '.join(_WORLD_KEYS)}")
    unknown = set(world) - set(_WORLD_KEYS)
    if unknown:
        raise pytest.UsageError(f"{where}: unknown world keys {', '.join(sorted(unknown))} "
                                f"(known: {', '.join(_WORLD_KEYS)})")
    return dict(world)


def _reset(mock: Any, request: pytest.FixtureRequest) -> None:
    from siasim.inprocess import World

    world = world_for(request)
    try:
        mock.reset(**(world or World().__dict__))
    except (TypeError, ValueError) as exc:
        raise pytest.UsageError(f"siasim world {world}: {exc}") from None


@pytest.fixture(scope="session")
def _siasim_marketo_server() -> Iterator[MarketoMock]:
    from siasim.inprocess import MarketoMock

    with MarketoMock() as mock:
        yield mock


@pytest.fixture(scope="session")
def _siasim_salesforce_server() -> Iterator[SalesforceMock]:
    from siasim.inprocess import SalesforceMock

    with SalesforceMock() as mock:
        yield mock


@pytest.fixture(scope="session")
def _siasim_stack_servers() -> Iterator[Stack]:
    from siasim.inprocess import Stack

    with Stack() as stack:
        yield stack


@pytest.fixture
def marketo_mock(_siasim_marketo_server: MarketoMock,
                 request: pytest.FixtureRequest) -> MarketoMock:
    """A Marketo Engage REST API mock, reset to this test's world: ``.url``,
    ``.client_id``, ``.client_secret``, ``.client()`` (marketorestpython),
    ``.journal(path=, method=, body=)``, ``.fault(...)``, ``.clock``, ``.admin(...)``."""
    _reset(_siasim_marketo_server, request)
    return _siasim_marketo_server


@pytest.fixture
def salesforce_mock(_siasim_salesforce_server: SalesforceMock,
                    request: pytest.FixtureRequest) -> SalesforceMock:
    """A Salesforce REST API mock over HTTPS, reset to this test's world: ``.url``,
    ``.ca_file``, ``.username``, ``.password``, ``.client()`` (simple-salesforce),
    ``.session()``, ``.journal(...)``, ``.fault(...)``, ``.clock``, ``.admin(...)``."""
    _reset(_siasim_salesforce_server, request)
    return _siasim_salesforce_server


@pytest.fixture
def siasim_stack(_siasim_stack_servers: Stack, request: pytest.FixtureRequest) -> Stack:
    """Both mocks on this test's world, Marketo's own Salesforce sync between them, and a
    fresh reference SIA synced with them: ``.marketo``, ``.salesforce``, ``.sia``,
    ``.api_url``, ``.sync()``, ``.sync_marketo_from_salesforce()``."""
    _reset(_siasim_stack_servers, request)
    return _siasim_stack_servers
