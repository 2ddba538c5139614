import datetime

from portal.workdays import add_working_days, is_working_day, working_days_between

D = datetime.date


def test_weekends_are_not_working_days():
    assert is_working_day(D(2026, 11, 27))  # Friday
    assert not is_working_day(D(2026, 11, 28))
    assert not is_working_day(D(2026, 11, 29))


def test_dutch_public_holidays_are_not_working_days():
    assert not is_working_day(D(2026, 4, 27))  # Koningsdag
    assert not is_working_day(D(2026, 5, 14))  # Hemelvaartsdag
    assert not is_working_day(D(2026, 5, 25))  # Tweede Pinksterdag
    assert not is_working_day(D(2026, 12, 25))
    assert not is_working_day(D(2025, 5, 5))  # Bevrijdingsdag in a lustrum year
    assert is_working_day(D(2026, 5, 5))  # not a day off outside lustrum years


def test_five_working_days_skip_the_weekend():
    assert add_working_days(D(2026, 11, 26), 5) == D(2026, 12, 3)


def test_deadlines_skip_christmas_and_new_year():
    # Wednesday 23 December 2026 + 5 working days: 24, 28, 29, 30, 31 December.
    assert add_working_days(D(2026, 12, 23), 5) == D(2026, 12, 31)
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_zero_days_from_a_holiday_is_the_next_working_day():
    assert add_working_days(D(2026, 12, 25), 0) == D(2026, 12, 28)
    assert add_working_days(D(2026, 11, 26), 0) == D(2026, 11, 26)


def test_counting_working_days_between_two_dates():
    assert working_days_between(D(2026, 11, 26), D(2026, 12, 3)) == 5
    assert working_days_between(D(2026, 12, 3), D(2026, 11, 26)) == 0
