"""Calendar arithmetic the training rules need, in Python and in SQL.

Due dates and validity are calendar dates in the organisation's time zone
(settings.TIME_ZONE): "within 30 days", "valid for 12 months".
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time

from django.db.models import DateField, DateTimeField, Func
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


class DeadlineOf(Func):
    """The instant a due date ends — the midnight after it in the
    organisation's time zone — in SQL, from a date expression: a pass
    before it is on time. One expression per row, so comparing a completion
    time with it converts nothing per row.

    PostgreSQL converts with the zone's rules; SQLite, which keeps times as
    UTC text, shifts by the zone's offset on `on` (Asia/Shanghai keeps one
    offset all year; a zone with summer time would be an hour out for due
    dates on the other side of a change)."""

    arity = 1
    output_field = DateTimeField()

    def __init__(self, day, *, on: date):
        super().__init__(day)
        self.zone = timezone.get_default_timezone()
        offset = self.zone.utcoffset(datetime.combine(on, time()))
        self.offset_seconds = int(offset.total_seconds()) if offset else 0

    def as_sql(self, compiler, connection, **extra_context):
        (day,) = self.get_source_expressions()
        day_sql, params = compiler.compile(day)
        if connection.vendor == "sqlite":
            shift = f"{-self.offset_seconds:+d} seconds"
            return f"datetime({day_sql}, '+1 day', '{shift}')", params
        return (
            f"((CAST({day_sql} AS date) + 1)::timestamp AT TIME ZONE %s)",
            (*params, str(self.zone)),
        )
