"""The pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``standin_session`` (session scope): one standin process serving the four products on
  ephemeral ports; with pytest-xdist, one per worker.
- ``standin`` (function scope): that server, cleaned before the test: leftover tenants deleted,
  every product reset to its fixtures (store, clock, fault rules, rate limits) and its request
  journal emptied.

Marker ``@pytest.mark.standin_fixtures(directory=None, **products)`` starts the tests it marks
(a whole module with ``pytestmark = pytest.mark.standin_fixtures(...)``) from custom fixture
documents instead of the built-in ones.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from ._server import (
    PRODUCTS,
    Process,
    Standin,
    StandinError,
    StateDoc,
    find_binary,
    load_fixtures,
    _Control,
)


class StandinSession(Standin):
    """The main instance of the session's standin process, with the process's details."""

    def __init__(self, process: Process) -> None:
        cert = process.cert_file
        # No certificate is written when nothing is served over TLS (STANDIN_NO_TLS=1).
        control = _Control(str(cert) if cert.is_file() else None)
        super().__init__(process.urls, str(cert), {}, control)
        self.process = process
        self.binary = process.binary
        """The binary that is running."""
        self.log_file = process.log_file
        """Where the process's stdout and stderr go."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("standin", "standin: the four vendor APIs as fixtures")
    group.addoption(
        "--standin-binary",
        dest="standin_binary",
        metavar="PATH",
        default=None,
        help="standin binary to run instead of the one the wheel installed "
        "(also the STANDIN_BINARY environment variable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "standin_fixtures(directory=None, **products): start the standin fixture from these "
        "fixture documents (a directory of <product>.json files, and/or product=path-or-dict)",
    )


def _fixtures_for(node: pytest.Item) -> Dict[str, StateDoc]:
    docs: Dict[str, StateDoc] = {}
    # iter_markers yields the closest first: apply the farthest first so the closest wins.
    for marker in reversed(list(node.iter_markers("standin_fixtures"))):
        if len(marker.args) > 1:
            raise StandinError("standin_fixtures takes at most one positional argument (a directory)")
        directory = marker.args[0] if marker.args else marker.kwargs.get("directory")
        products = {k: v for k, v in marker.kwargs.items() if k != "directory"}
        docs.update(load_fixtures(directory, **products))
    return docs


@pytest.fixture(scope="session")
def standin_session(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StandinSession]:
    """One standin process for the session (one per xdist worker), stopped at the end."""
    try:
        binary = find_binary(request.config.getoption("standin_binary"))
        process = Process(binary, tmp_path_factory.mktemp("standin"))
    except StandinError as err:
        pytest.fail(f"standin could not start: {err}", pytrace=False)
    try:
        yield StandinSession(process)
    finally:
        process.stop()


@pytest.fixture
def standin(request: pytest.FixtureRequest, standin_session: StandinSession) -> Standin:
    """The session's standin, clean for this test (see the module docstring)."""
    gone = standin_session.process.exited()
    if gone is not None:
        pytest.fail(f"standin is no longer running: {gone}", pytrace=False)
    try:
        return standin_session.clean(_fixtures_for(request.node))
    except StandinError as err:
        pytest.fail(f"standin: {err}", pytrace=False)


def pytest_report_header(config: pytest.Config) -> Any:
    try:
        return f"standin: {find_binary(config.getoption('standin_binary'))}"
    except StandinError as err:
        return f"standin: {err}"


__all__ = ["PRODUCTS", "StandinSession", "standin", "standin_session"]
