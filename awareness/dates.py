"""Calendar arithmetic the training rules need, in Python and in SQL.

Due dates and validity are calendar dates in the organisation's time zone
(settings.TIME_ZONE): "within 30 days", "valid for 12 months".
"""

from __future__ import annotations

import calendar
from datetime import date

from django.db.models import DateField, Func
from django.utils import timezone


def add_months(day: date, months: int) -> date:
    """`day` moved `months` calendar months on; the 31st becomes the last
    day of a shorter month (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class AddDays(Func):
    """`date + days` as a date, in SQL: a date column or value plus a whole
    number of days (a column, a value or any integer expression).

    PostgreSQL adds an integer to a date natively; SQLite, which keeps dates
    as ISO text, uses date()'s 'N days' modifier."""

    arity = 2
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        day, days = self.get_source_expressions()
        day_sql, day_params = compiler.compile(day)
        days_sql, days_params = compiler.compile(days)
        params = (*day_params, *days_params)
        if connection.vendor == "sqlite":
            return f"date({day_sql}, CAST({days_sql} AS integer) || ' days')", params
        return f"(CAST({day_sql} AS date) + CAST({days_sql} AS integer))", params


def local_today() -> date:
    """Today in the organisation's time zone: what "overdue" is measured against."""
    return timezone.localdate(timezone=timezone.get_default_timezone())
