"""siasim: simulation and conformance harness for the SIA / Marketo / Salesforce data sync.

This package is the command line that ties the parts together: ``mocks`` (the servers),
``engine`` (the reference Sales Insight Actions), ``features`` (the conformance kit) and
``fixtures`` (worlds). It is the only place that may import all of them.

For tests, the mocks and the whole stack also run inside a process (``siasim.inprocess``):
``with siasim.MarketoMock(profile="tiny") as mk: ...``, ``siasim.SalesforceMock``,
``siasim.Stack``; the pytest plugin (``siasim.pytest_plugin``) gives them as fixtures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["MarketoMock", "SalesforceMock", "Stack", "__version__"]

if TYPE_CHECKING:
    from siasim.inprocess import MarketoMock, SalesforceMock, Stack


def __getattr__(name: str) -> Any:
    # imported on first use: the command line and pytest's start-up need none of it
    if name in ("MarketoMock", "SalesforceMock", "Stack"):
        from siasim import inprocess

        return getattr(inprocess, name)
    raise AttributeError(f"module 'siasim' has no attribute {name!r}")
