"""A working-day calendar: weekends and Dutch public holidays are not working days.

Used for deadlines such as "a first response within five working days" and for the expiry
of invitations. Public holidays come from the `holidays` package (Koningsdag, Hemelvaart,
Pinksteren, Kerst, and Bevrijdingsdag in lustrum years, as Dutch collective agreements do).
"""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays_in(year):
    return frozenset(holidays.country_holidays("NL", years=year).keys())


def is_working_day(day):
    return day.weekday() < 5 and day not in _holidays_in(day.year)


def add_working_days(start, days):
    """The date `days` working days after `start` (start itself does not count).

    With days=0 this is start when start is a working day, else the next working day.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    if days == 0:
        while not is_working_day(day):
            day += datetime.timedelta(days=1)
        return day
    while days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start, end):
    """The number of working days after `start` up to and including `end`."""
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)
    return count
