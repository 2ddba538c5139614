"""The portal's settings for the load run: its URLs plus a bare view to compare against.

BENCH_NO_CACHE=1 (load.py --no-cache) replaces the cache with Django's dummy cache: the
public pages are then rendered on every request, as before they were cached.
"""

import os

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"

if os.environ.get("BENCH_NO_CACHE") == "1":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# Every locust client posts intakes from 127.0.0.1 without pause: the desk's per-client rate
# limit would answer most of them with 429 and measure nothing.
LOKAAL_INTAKE_RATE = ""
