"""The fixed-window limit per client that public forms share (portal.ratelimit)."""

import logging

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from portal import ratelimit
from portal.ratelimit import RateLimit, parse_rate

LIMIT = RateLimit("TEST_FORM_RATE", "test:form")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def request_from(address, **headers):
    return RequestFactory().post("/", REMOTE_ADDR=address, **headers)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5/600", (5, 600)),
        (" 3/60 ", (3, 60)),
        ("7", (7, 60)),
        ("", None),
        (None, None),
        ("0", None),
        ("0/600", None),
        ("5/0", None),
        ("-1/60", None),
        ("lots/600", None),
    ],
)
def test_a_rate_is_count_per_seconds_or_off(value, expected):
    assert parse_rate(value) == expected


def test_an_unreadable_rate_is_logged_and_means_no_limit(caplog):
    with caplog.at_level(logging.ERROR, logger="portal.ratelimit"):
        assert parse_rate("five a minute", name="SOME_RATE") is None
    assert "SOME_RATE='five a minute'" in caplog.text


def test_a_client_is_over_the_limit_after_count_uses(settings):
    settings.TEST_FORM_RATE = "2/600"
    request = request_from("192.0.2.1")
    assert not LIMIT.over(request)
    LIMIT.count(request)
    assert not LIMIT.over(request)
    LIMIT.count(request)
    assert LIMIT.over(request)
    assert LIMIT.window_seconds == 600


def test_each_client_and_each_limit_counts_apart(settings):
    settings.TEST_FORM_RATE = "1/600"
    settings.OTHER_FORM_RATE = "1/600"
    other_limit = RateLimit("OTHER_FORM_RATE", "test:other")
    LIMIT.count(request_from("192.0.2.1"))
    assert LIMIT.over(request_from("192.0.2.1"))
    assert not LIMIT.over(request_from("192.0.2.2"))
    assert not other_limit.over(request_from("192.0.2.1"))


def test_behind_trusted_proxies_the_forwarded_client_counts(settings):
    settings.TEST_FORM_RATE = "1/600"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    LIMIT.count(request_from("10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1"))
    assert LIMIT.over(request_from("10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1"))
    assert not LIMIT.over(request_from("10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2"))


def test_a_new_window_starts_afresh(settings, monkeypatch):
    settings.TEST_FORM_RATE = "1/600"
    request = request_from("192.0.2.3")
    monkeypatch.setattr(ratelimit.time, "time", lambda: 600 * 1000 + 5)
    LIMIT.count(request)
    assert LIMIT.over(request)
    monkeypatch.setattr(ratelimit.time, "time", lambda: 600 * 1001 + 5)
    assert not LIMIT.over(request)


def test_a_switched_off_limit_never_counts(settings):
    settings.TEST_FORM_RATE = ""
    request = request_from("192.0.2.4")
    for _ in range(10):
        LIMIT.count(request)
    assert not LIMIT.over(request)
    assert LIMIT.window_seconds == 0


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_an_unreachable_cache_lets_the_request_pass_and_is_logged(settings, monkeypatch, caplog):
    settings.TEST_FORM_RATE = "1/600"
    monkeypatch.setattr(ratelimit, "cache", BrokenCache())
    request = request_from("192.0.2.5")
    with caplog.at_level(logging.ERROR, logger="portal.ratelimit"):
        LIMIT.count(request)
        assert not LIMIT.over(request)
    assert caplog.text.count("TEST_FORM_RATE: cache unavailable") == 2
