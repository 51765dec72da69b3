"""Calendar arithmetic the rules are written in: months and years, not days."""

from __future__ import annotations

import calendar
import datetime
import functools

import holidays


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier, when negative), or the month's last day where it is
    shorter (31 August + 6 months = 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day_of_period(start: datetime.date, months: int) -> datetime.date:
    """The last day of a period of `months` "beginning with" `start` (the statutes' phrase): a
    10-year period beginning with 3 May 2020 runs to 2 May 2030. Where the month it ends in has no
    such day (5 years beginning with 29 February 2024), it runs to that month's last day."""
    anniversary = add_months(start, months)
    if anniversary.day != start.day:
        return anniversary
    return anniversary - datetime.timedelta(days=1)


def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@functools.cache
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    # England and Wales share their bank holidays (the Banking and Financial Dealings Act 1971 and
    # the royal proclamations each year); the holidays library keeps them for both, and any
    # proclaimed one-off holiday with them.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `day` ("within 5 working days" of a Friday charge is the
    following Friday, or later across a bank holiday)."""
    while days > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day
