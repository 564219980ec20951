"""Bulk activity export: the file of a ``/bulk/v1/activities/export`` job.

A job takes a ``createdAt`` window (required, at most 31 days; it bounds the activity
date), and optionally ``activityTypeIds``, ``primaryAttributeValueIds`` and
``primaryAttributeValues`` (these two need ``activityTypeIds``). Clients send ``fields``
absent, ``null``, ``[]`` or a list: the first three export every column, as Marketo does,
a list exports those columns in its order.

Each row is written by SQLite itself, attributes included: Marketo's file holds them as
one JSON object (``{"Webpage URL": "/pricing", ...}``), which ``json_group_object`` makes
from the stored list without a Python round trip per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from mocks.marketo.config import ExportSettings
from mocks.marketo.envelope import ApiError
from mocks.marketo.exports import check_headers, check_window, one_filter, writer_for
from mocks.marketo.fields import is_integer
from mocks.marketo.sqlsets import one_of

COLUMNS = ("marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId",
           "primaryAttributeValueId", "primaryAttributeValue", "attributes")
_EXPRESSIONS = {
    "marketoGUID": "a.marketoGUID",
    "leadId": "a.leadId",
    "activityDate": "a.activityDate",
    "activityTypeId": "a.activityTypeId",
    "campaignId": "NULL",
    "primaryAttributeValueId": "a.primaryAttributeValueId",
    "primaryAttributeValue": "a.primaryAttributeValue",
    "attributes": ("(SELECT json_group_object(j.value ->> '$.name', j.value -> '$.value') "
                   "FROM json_each(coalesce(a.attributes, '[]')) j)"),
}
_FILTER_KEYS = ("createdAt", "activityTypeIds", "primaryAttributeValueIds",
                "primaryAttributeValues")
MAX_FILTER_VALUES = 300


def _int_list(name: str, value) -> list[int]:
    if not isinstance(value, list) or not value or not all(is_integer(v) for v in value):
        raise ApiError("1003", f"{name} must be a non-empty list of integers")
    if len(value) > MAX_FILTER_VALUES:
        raise ApiError("1003", f"Too many {name}: at most {MAX_FILTER_VALUES}")
    return sorted(set(value))


class ActivityExport:
    entity = "activities"

    def __init__(self, settings: ExportSettings, known_type: Callable[[int], bool]) -> None:
        self.settings = settings
        self._known_type = known_type

    def check(self, body: dict) -> tuple[list[str], dict, dict]:
        fields = body.get("fields")
        if fields is None or fields == []:
            names = list(COLUMNS)
        elif isinstance(fields, list) and all(isinstance(f, str) for f in fields):
            folded = {c.lower(): c for c in COLUMNS}
            names = []
            for name in fields:
                column = folded.get(name.strip().lower())
                if column is None:
                    raise ApiError("1003", f"Invalid field '{name}': an activity export has "
                                           f"the fields {', '.join(COLUMNS)}")
                if column not in names:
                    names.append(column)
        else:
            raise ApiError("1003", "fields must be a list of field names")
        folded_names = {c.lower(): c for c in names}
        headers = check_headers(body.get("columnHeaderNames"), names,
                                lambda key: folded_names.get(str(key).lower()))
        spec = one_filter(body.get("filter"))
        unknown = [k for k in spec if k not in _FILTER_KEYS]
        if unknown:
            raise ApiError("1035", f"Unsupported filter type for target subscription: "
                                   f"{unknown[0]}")
        if "createdAt" not in spec:
            raise ApiError("1003", "filter.createdAt is required for an activity export")
        window = check_window("createdAt", spec["createdAt"], self.settings.max_days)
        checked: dict = {"window": window}
        if spec.get("activityTypeIds") is not None:
            types = _int_list("activityTypeIds", spec["activityTypeIds"])
            missing = [t for t in types if not self._known_type(t)]
            if missing:
                raise ApiError("1003", f"Invalid activity type id: {missing[0]}")
            checked["activityTypeIds"] = types
        for key in ("primaryAttributeValueIds", "primaryAttributeValues"):
            if spec.get(key) is None:
                continue
            if "activityTypeIds" not in checked:
                raise ApiError("1003", f"{key} needs activityTypeIds in the filter")
            if key == "primaryAttributeValueIds":
                checked[key] = _int_list(key, spec[key])
            else:
                values = spec[key]
                if not isinstance(values, list) or not values or \
                        not all(isinstance(v, str) for v in values):
                    raise ApiError("1003", f"{key} must be a non-empty list of strings")
                checked[key] = sorted(set(values))
        if "primaryAttributeValueIds" in checked and "primaryAttributeValues" in checked:
            raise ApiError("1003", "Give primaryAttributeValueIds or primaryAttributeValues, "
                                   "not both")
        return names, headers, checked

    def write(self, conn, fields: list[str], headers: dict, spec: dict, out: TextIO,
              delimiter: str) -> int:
        where = ['a."activityDate" >= ?', 'a."activityDate" < ?']
        params: list = [spec["window"]["startAt"], spec["window"]["endAt"]]
        for key, column in (("activityTypeIds", "activityTypeId"),
                            ("primaryAttributeValueIds", "primaryAttributeValueId"),
                            ("primaryAttributeValues", "primaryAttributeValue")):
            if key in spec:
                clause, more = one_of(f'a."{column}"', spec[key])
                where.append(clause)
                params += more
        # "null" for an empty value, as in every export file of the mock
        select = ", ".join(f"coalesce({_EXPRESSIONS[n]}, 'null')" for n in fields)
        cursor = conn.execute(f'SELECT {select} FROM "activities" a '
                              f'WHERE {" AND ".join(where)} ORDER BY a.id', params)
        writer = writer_for(out, delimiter)
        writer.writerow([headers.get(n, n) for n in fields])
        count = 0
        while rows := cursor.fetchmany(10_000):
            writer.writerows(rows)
            count += len(rows)
        return count
