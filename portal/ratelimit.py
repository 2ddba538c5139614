"""A fixed-window limit per client for public forms (the desk's intake, the internship reports).

A rate is a setting of the form "<count>/<seconds>" (e.g. "5/600": five per ten minutes); an
empty value, "0" or a value that does not parse switches the limit off (a wrong value is logged,
not fatal). Counts are kept in the shared Django cache under a key that changes every window and
expires with it. The client address comes from allauth's adapter, so that the login limits and
these count the same client (ALLAUTH_TRUSTED_PROXY_COUNT behind a proxy).

An unreachable cache lets the request pass and is logged: a public form must not close because
the cache is down.
"""

import logging
import time

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def parse_rate(value, *, name="rate"):
    """(count, seconds) of "<count>/<seconds>", or None when there is no limit."""
    rate = (value or "").strip()
    if rate in ("", "0"):
        return None
    count, _slash, seconds = rate.partition("/")
    try:
        count, seconds = int(count), int(seconds or 60)
    except ValueError:
        logger.error("%s=%r is not <count>/<seconds>: no limit", name, rate)
        return None
    return (count, seconds) if count > 0 and seconds > 0 else None


class RateLimit:
    """The limit of the setting `setting`, counted per client under `prefix`.

    `over(request)` says whether the client has used up the current window; `count(request)`
    counts one use. The caller decides what counts (a valid form, every attempt, a failure).
    """

    def __init__(self, setting, prefix):
        self.setting = setting
        self.prefix = prefix

    @property
    def rate(self):
        """(count, seconds), read from the settings at every call, or None when off."""
        return parse_rate(getattr(settings, self.setting, ""), name=self.setting)

    @property
    def window_seconds(self):
        rate = self.rate
        return rate[1] if rate else 0

    def key(self, request, seconds):
        window = int(time.time()) // seconds
        return f"{self.prefix}:{get_adapter().get_client_ip(request)}:{window}"

    def over(self, request):
        rate = self.rate
        if rate is None:
            return False
        count, seconds = rate
        try:
            return (cache.get(self.key(request, seconds)) or 0) >= count
        except Exception:
            logger.exception("Rate limit %s: cache unavailable", self.setting)
            return False

    def count(self, request):
        rate = self.rate
        if rate is None:
            return
        key = self.key(request, rate[1])
        try:
            cache.add(key, 0, timeout=rate[1])
            cache.incr(key)
        except Exception:
            logger.exception("Rate limit %s: cache unavailable", self.setting)
