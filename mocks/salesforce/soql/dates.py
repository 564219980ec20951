"""Dates in SOQL: the relative date literals, the date functions, and the stored forms.

Dates and times are UTC (the mock's users all have the UTC time zone), weeks start on
Sunday (the en_US locale) and the fiscal year is the calendar year (an org's default).
The store keeps dates as ``YYYY-MM-DD`` and datetimes as ``YYYY-MM-DDTHH:MM:SS.mmm+0000``,
so a date function is a little SQL over that text.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

DATE_LITERALS = {
    "YESTERDAY", "TODAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH",
    "THIS_MONTH", "NEXT_MONTH", "LAST_90_DAYS", "NEXT_90_DAYS", "THIS_QUARTER",
    "LAST_QUARTER", "NEXT_QUARTER", "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR",
    "THIS_FISCAL_QUARTER", "LAST_FISCAL_QUARTER", "NEXT_FISCAL_QUARTER", "THIS_FISCAL_YEAR",
    "LAST_FISCAL_YEAR", "NEXT_FISCAL_YEAR",
}
N_DATE_LITERALS = {
    "LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO", "LAST_N_WEEKS", "NEXT_N_WEEKS", "N_WEEKS_AGO",
    "LAST_N_MONTHS", "NEXT_N_MONTHS", "N_MONTHS_AGO", "LAST_N_QUARTERS", "NEXT_N_QUARTERS",
    "N_QUARTERS_AGO", "LAST_N_YEARS", "NEXT_N_YEARS", "N_YEARS_AGO", "LAST_N_FISCAL_QUARTERS",
    "NEXT_N_FISCAL_QUARTERS", "N_FISCAL_QUARTERS_AGO", "LAST_N_FISCAL_YEARS",
    "NEXT_N_FISCAL_YEARS", "N_FISCAL_YEARS_AGO",
}


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def date_range(name: str, n: int | None, today: date) -> tuple[date, date]:
    """The [start, end) days a date literal stands for."""
    week = today - timedelta(days=(today.weekday() + 1) % 7)  # weeks start on Sunday
    month = today.replace(day=1)
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    year = date(today.year, 1, 1)
    name = name.replace("_FISCAL", "")  # the fiscal year is the calendar year
    day = timedelta(days=1)
    fixed = {
        "YESTERDAY": (today - day, today), "TODAY": (today, today + day),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_WEEK": (week - 7 * day, week), "THIS_WEEK": (week, week + 7 * day),
        "NEXT_WEEK": (week + 7 * day, week + 14 * day),
        "LAST_MONTH": (add_months(month, -1), month),
        "THIS_MONTH": (month, add_months(month, 1)),
        "NEXT_MONTH": (add_months(month, 1), add_months(month, 2)),
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "LAST_QUARTER": (add_months(quarter, -3), quarter),
        "THIS_QUARTER": (quarter, add_months(quarter, 3)),
        "NEXT_QUARTER": (add_months(quarter, 3), add_months(quarter, 6)),
        "LAST_YEAR": (add_months(year, -12), year),
        "THIS_YEAR": (year, add_months(year, 12)),
        "NEXT_YEAR": (add_months(year, 12), add_months(year, 24)),
    }
    if name in fixed:
        return fixed[name]
    assert n is not None
    if name == "LAST_N_DAYS":
        return today - n * day, today + day
    if name == "NEXT_N_DAYS":
        return today + day, today + (n + 1) * day
    if name == "N_DAYS_AGO":
        return today - n * day, today - (n - 1) * day
    if name == "LAST_N_WEEKS":
        return week - 7 * n * day, week
    if name == "NEXT_N_WEEKS":
        return week + 7 * day, week + 7 * (n + 1) * day
    if name == "N_WEEKS_AGO":
        return week - 7 * n * day, week - 7 * (n - 1) * day
    unit = {"MONTHS": (1, month), "QUARTERS": (3, quarter), "YEARS": (12, year)}
    for word, (size, start) in unit.items():
        if name == f"LAST_N_{word}":
            return add_months(start, -size * n), start
        if name == f"NEXT_N_{word}":
            return add_months(start, size), add_months(start, size * (n + 1))
        if name == f"N_{word}_AGO":
            return add_months(start, -size * n), add_months(start, -size * (n - 1))
    raise ValueError(name)


def format_datetime(value: datetime) -> str:
    """The form Salesforce returns and the store keeps: ``2024-01-15T10:30:00.000+0000``."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00.000+0000"


#: Date function -> (SQL over the stored text ``{x}``, the type of its value, whether it
#: takes a datetime only).
_DAY = "substr({x}, 1, 10)"
DATE_FUNCTION_SQL: dict[str, tuple[str, str, bool]] = {
    "CALENDAR_YEAR": ("CAST(substr({x}, 1, 4) AS INTEGER)", "int", False),
    "CALENDAR_MONTH": ("CAST(substr({x}, 6, 2) AS INTEGER)", "int", False),
    "CALENDAR_QUARTER": ("((CAST(substr({x}, 6, 2) AS INTEGER) + 2) / 3)", "int", False),
    "DAY_IN_MONTH": ("CAST(substr({x}, 9, 2) AS INTEGER)", "int", False),
    "DAY_IN_WEEK": (f"(CAST(strftime('%w', {_DAY}) AS INTEGER) + 1)", "int", False),
    "DAY_IN_YEAR": (f"CAST(strftime('%j', {_DAY}) AS INTEGER)", "int", False),
    "WEEK_IN_MONTH": ("((CAST(substr({x}, 9, 2) AS INTEGER) - 1) / 7 + 1)", "int", False),
    "WEEK_IN_YEAR": (f"((CAST(strftime('%j', {_DAY}) AS INTEGER) - 1) / 7 + 1)", "int", False),
    "DAY_ONLY": (_DAY, "date", True),
    "HOUR_IN_DAY": ("CAST(substr({x}, 12, 2) AS INTEGER)", "int", True),
    # the fiscal year starts in January: fiscal periods are the calendar's
    "FISCAL_YEAR": ("CAST(substr({x}, 1, 4) AS INTEGER)", "int", False),
    "FISCAL_MONTH": ("CAST(substr({x}, 6, 2) AS INTEGER)", "int", False),
    "FISCAL_QUARTER": ("((CAST(substr({x}, 6, 2) AS INTEGER) + 2) / 3)", "int", False),
}


def date_function_sql(name: str, sql: str) -> tuple[str, str]:
    """(the SQL of ``name(sql)``, the type of its value)."""
    template, kind, _ = DATE_FUNCTION_SQL[name]
    return template.replace("{x}", sql), kind


def datetime_only(name: str) -> bool:
    return DATE_FUNCTION_SQL[name][2]
