"""SOQL: a parser, a checker against the object metadata, and an evaluator on SQLite.

``compile(text, now)`` turns a query into a :class:`Plan`: the SQL that selects its rows
(WHERE, ORDER BY, LIMIT and OFFSET pushed down to SQLite, so a selective filter on an
indexed field is an index lookup whatever the table's size), each result built as JSON by
SQLite itself (``attributes``, nested parent records, children, keys in SELECT order: no
per-row Python on the way out). Nothing here knows about HTTP: errors are
:class:`SoqlError` with Salesforce's error code and message.

The modules follow a query through: :mod:`.tokens`, :mod:`.parser` (to a :mod:`.syntax`
tree), :mod:`.scope` (names against the metadata), :mod:`.filters` (WHERE and HAVING,
semi-joins and anti-joins), :mod:`.records` (record queries), :mod:`.children`
(parent-to-child subqueries), :mod:`.aggregates` (GROUP BY, aggregate functions),
:mod:`.dates` (date literals and date functions), :mod:`.plan` (what runs).

The dialect is Salesforce's:

- ``SELECT`` fields, one level of parent lookups (``Owner.Email``; on a polymorphic
  relationship, the fields of the ``Name`` object), ``TYPEOF``, ``FIELDS()``,
  ``toLabel()``, parent-to-child subqueries (``(SELECT Id FROM Contacts)``), ``COUNT()``,
  aggregate functions with aliases, date functions;
- ``WHERE`` with AND, OR (never mixed without parentheses), a leading NOT, parentheses,
  ``= != <> < <= > >=``, ``IN``, ``NOT IN`` (values, or a semi-join or anti-join
  subquery), ``LIKE`` (case-insensitive), null, booleans, numbers, strings, date and
  datetime literals, the relative date literals, date functions on the left;
- ``GROUP BY`` (``ROLLUP``, ``CUBE``) with ``HAVING``; ``ORDER BY`` with ASC, DESC,
  NULLS FIRST|LAST; ``LIMIT``; ``OFFSET`` (at most 2,000).

Text comparisons are case-insensitive, as in Salesforce; field, object and keyword names
too.
"""

from mocks.salesforce.soql.compiler import MAX_LENGTH, compile
from mocks.salesforce.soql.dates import add_months, date_range, format_datetime
from mocks.salesforce.soql.errors import SoqlError
from mocks.salesforce.soql.functions import register_functions
from mocks.salesforce.soql.parser import MAX_OFFSET, parse
from mocks.salesforce.soql.plan import AggregatePlan, Plan, RecordPlan
from mocks.salesforce.soql.tokens import Token, tokenize

__all__ = ["MAX_LENGTH", "MAX_OFFSET", "AggregatePlan", "Plan", "RecordPlan", "SoqlError",
           "Token", "add_months", "compile", "date_range", "format_datetime", "parse",
           "register_functions", "tokenize"]
