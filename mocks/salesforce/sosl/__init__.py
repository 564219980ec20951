"""SOSL: Salesforce's text search, for ``/search`` and ``/parameterizedSearch``.

:mod:`.statement` parses ``FIND {...} IN ... FIELDS RETURNING ...``, :mod:`.terms` the
search string between the braces and how words match, :mod:`.parameterized` the
parameter form, :mod:`.run` finds the records. Like SOQL, nothing here knows about HTTP:
refusals are :class:`~mocks.salesforce.soql.SoqlError` with Salesforce's codes
(``MALFORMED_SEARCH``, ``INVALID_SEARCH``, ``INVALID_TYPE``, ``INVALID_FIELD``).
"""

from mocks.salesforce.sosl.parameterized import build as parameterized
from mocks.salesforce.sosl.run import run
from mocks.salesforce.sosl.statement import Search, parse

__all__ = ["Search", "parameterized", "parse", "run"]
