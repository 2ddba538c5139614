"""Gunicorn settings for the portal (used by the Dockerfile and docker-compose.yml).

Every value can be changed from the environment; see .env.example and docs/security.md.

Gunicorn limits the request line and headers, but has no limit on the size of a request
body. Oversized bodies are refused in front of it by the proxy (deploy/nginx.conf,
client_max_body_size) and, from the Content-Length header before anything reads the body, by
portal.middleware.RequestBodyLimitMiddleware (REQUEST_MAX_BODY_BYTES).
"""

import os


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("GUNICORN_WORKERS", 3)
# A request that takes longer than this is killed and answered with an error, so one slow
# request cannot hold a worker for ever.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then, so that a slow leak cannot grow without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Limits on what gunicorn reads before Django sees the request: the request line (method, path
# and query string), the number of header fields and the size of each.
limit_request_line = _int("GUNICORN_LIMIT_REQUEST_LINE", 4094)
limit_request_fields = _int("GUNICORN_LIMIT_REQUEST_FIELDS", 100)
limit_request_field_size = _int("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", 8190)

accesslog = "-"
errorlog = "-"
