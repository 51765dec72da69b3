import datetime

from tests.calendar_days import days


def test_the_days_are_the_coming_year_end_year_start_leap_day_and_christmas() -> None:
    assert days(datetime.date(2026, 12, 3)) == [
        datetime.date(2027, 12, 3),
        datetime.date(2027, 3, 31),
        datetime.date(2027, 4, 1),
        datetime.date(2028, 2, 29),
        datetime.date(2026, 12, 25),
    ]


def test_on_a_leap_day_a_year_ahead_is_28_february_and_the_next_leap_day_is_four_years_on() -> None:
    assert days(datetime.date(2028, 2, 29)) == [
        datetime.date(2029, 2, 28),
        datetime.date(2028, 3, 31),
        datetime.date(2028, 4, 1),
        datetime.date(2032, 2, 29),
        datetime.date(2028, 12, 25),
    ]
