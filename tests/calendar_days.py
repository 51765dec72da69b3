"""The days the date-dependent tests (marked `dated`) also run on (`make test-dates`): a year from
today, the coming last and first days of a reporting year (31 March, 1 April), the coming leap day
and the coming Christmas Day (a bank holiday). Counted from today, so that they stay ahead of the
calendar as it moves. `python -m tests.calendar_days` prints them, one per line."""

import datetime
import sys


def coming(today: datetime.date, month: int, day: int) -> datetime.date:
    """The next `month`/`day` after today, skipping years without it (29 February)."""
    year = today.year
    while True:
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            year += 1
            continue
        if candidate > today:
            return candidate
        year += 1


def days(today: datetime.date) -> list[datetime.date]:
    try:
        a_year_ahead = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        a_year_ahead = today.replace(year=today.year + 1, day=28)
    return [a_year_ahead, coming(today, 3, 31), coming(today, 4, 1), coming(today, 2, 29), coming(today, 12, 25)]


if __name__ == "__main__":
    sys.stdout.write("".join(f"{day.isoformat()}\n" for day in days(datetime.date.today())))
