"""Building Salesforce's JSON in SQL: each record is made by SQLite, keys in SELECT order."""

from __future__ import annotations

from mocks.salesforce.metadata import Field


def json_object(pairs: list[str]) -> str:
    """``json_object`` of ``'key', value`` pairs (SQLite functions take at most 127
    arguments: long records are built in parts)."""
    if len(pairs) <= 60:
        return f"json_object({', '.join(pairs)})"
    return f"json_patch({json_object(pairs[:60])}, {json_object(pairs[60:])})"


def json_value(sql: str, f: Field) -> str:
    """``sql`` as the JSON value Salesforce gives a field of this type."""
    return typed(sql, f.type)


def typed(sql: str, kind: str) -> str:
    if kind == "boolean":
        return (f"json(CASE WHEN {sql} IS NULL THEN 'null' WHEN {sql} THEN 'true' "
                "ELSE 'false' END)")
    if kind == "int":
        return f"CAST({sql} AS INTEGER)"
    if kind in ("double", "currency", "percent"):
        return f"CAST({sql} AS REAL)"
    return sql


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def pair(key: str, value_sql: str) -> str:
    return f"{lit(key)}, {value_sql}"
