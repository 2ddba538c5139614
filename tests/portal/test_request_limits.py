"""Oversized requests are refused from their Content-Length, before the body is read."""

import os
import runpy
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test.client import ClientHandler
from django.urls import reverse

UPLOAD_URL = "/importeren/organisations/"
MB = 1024 * 1024


class UnreadableInput:
    """A wsgi.input that fails the test if anything reads the body."""

    def read(self, *args):
        raise AssertionError("the request body was read")

    readline = read

    def __iter__(self):
        raise AssertionError("the request body was read")


def call_wsgi(path, content_length, **headers):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "multipart/form-data; boundary=portal",
        "CONTENT_LENGTH": str(content_length),
        "wsgi.input": UnreadableInput(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **headers,
    }
    # The test client's handler: the full middleware stack, without closing the test
    # database's connection at the end of the request.
    response = ClientHandler()(environ)
    return response.status_code, response, response.content.decode()


def test_an_oversized_request_is_refused_through_the_whole_stack_without_reading_it():
    status, headers, body = call_wsgi(
        UPLOAD_URL, 50 * MB, HTTP_ACCEPT_LANGUAGE="en", HTTP_COOKIE="sessionid=abc"
    )
    assert status == 413
    assert headers["Content-Language"] == "en"
    assert "File too large" in body
    assert "at most 10.0\xa0MB" in body
    assert f'href="{reverse("home")}"' in body


def test_the_413_page_is_in_the_language_of_the_language_cookie():
    cookie = f"{django_settings.LANGUAGE_COOKIE_NAME}=nl"
    status, headers, body = call_wsgi(
        UPLOAD_URL, 50 * MB, HTTP_ACCEPT_LANGUAGE="en", HTTP_COOKIE=cookie
    )
    assert status == 413
    assert headers["Content-Language"] == "nl"
    assert '<html lang="nl">' in body


def test_the_413_page_links_back_to_the_page_the_upload_came_from():
    back = "http://testserver/importeren/organisations/?stap=1"
    _, _, body = call_wsgi(UPLOAD_URL, 50 * MB, HTTP_REFERER=back)
    assert 'href="http://testserver/importeren/organisations/?stap=1"' in body
    # A link to another site is not offered as the way back.
    _, _, body = call_wsgi(UPLOAD_URL, 50 * MB, HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in body


@pytest.mark.django_db
def test_a_request_within_the_limit_is_let_through(client, settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert response.status_code == 200
    response = client.post(
        reverse("account_login"), {"login": "a@example.org", "password": "x" * 1000}
    )
    assert response.status_code == 413


@pytest.mark.django_db
def test_a_malformed_content_length_is_not_an_error(client):
    response = client.get(reverse("home"), CONTENT_LENGTH="lots")
    assert response.status_code == 200


def test_the_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("REQUEST_MAX_BODY_BYTES", "5000000")
    monkeypatch.setenv("DATA_UPLOAD_MAX_MEMORY_SIZE", "100000")
    monkeypatch.setenv("FILE_UPLOAD_MAX_MEMORY_SIZE", "200000")
    configured = runpy.run_path(str(Path(django_settings.BASE_DIR, "portal", "settings.py")))
    assert configured["REQUEST_MAX_BODY_BYTES"] == 5_000_000
    assert configured["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 100_000
    assert configured["FILE_UPLOAD_MAX_MEMORY_SIZE"] == 200_000
    assert configured["MIDDLEWARE"][1] == "portal.middleware.RequestBodyLimitMiddleware"


def test_by_default_the_cap_leaves_room_above_the_import_limit():
    assert (
        django_settings.IMPORT_MAX_UPLOAD_BYTES
        < django_settings.REQUEST_MAX_BODY_BYTES
        <= django_settings.IMPORT_MAX_UPLOAD_BYTES + 4 * MB
    )


# A real gunicorn, as deployed (gunicorn.conf.py, DEBUG=0), with two workers.


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def workers_of(pid):
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    environment = {
        "PATH": os.environ["PATH"],
        "DEBUG": "0",
        "SECRET_KEY": "test-only-" + "k" * 40,
        "FIELD_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTA=",
        "VAR_DIR": str(tmp_path),
        # No collectstatic here: plain static URLs instead of the hashed manifest.
        "STATIC_MANIFEST": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi", "-c", "gunicorn.conf.py"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while len(workers_of(process.pid)) < 2 or not _accepts(port):
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start within 30 s"
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def post_upload(port, size):
    """Stream a multipart upload of `size` bytes; return (status, seconds, bytes sent).

    The client goes on sending after the answer has come, until the server closes the
    connection, so the server gets every chance to take in the body.
    """
    head = (
        b"--portal\r\n"
        b'Content-Disposition: form-data; name="file"; filename="organisaties.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    tail = b"\r\n--portal--\r\n"
    request = (
        f"POST {UPLOAD_URL} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "X-Forwarded-Proto: https\r\nAccept-Language: en\r\n"
        "Content-Type: multipart/form-data; boundary=portal\r\n"
        f"Content-Length: {len(head) + size + len(tail)}\r\n\r\n"
    ).encode()
    chunk = b"x" * (256 * 1024)
    remaining, pending = size, request + head
    answer, answered_after, sent, closed = b"", None, 0, False
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.setblocking(False)
        while not closed and time.monotonic() - started < 10:
            sending = bool(pending or remaining)
            readable, writable, _ = select.select(
                [connection], [connection] if sending else [], [], 1
            )
            if readable:
                try:
                    data = connection.recv(65536)
                except ConnectionResetError:
                    data = b""
                closed = not data
                answer += data
                if b"\r\n" in answer and answered_after is None:
                    answered_after = time.monotonic() - started
            elif writable:
                if not pending:
                    pending = chunk[: min(len(chunk), remaining)]
                    remaining -= len(pending)
                    if not remaining:
                        pending += tail
                try:
                    count = connection.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    pending, remaining = b"", 0
                    continue
                sent += count
                pending = pending[count:]
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else None
    return status, answered_after, sent


def test_gunicorn_refuses_a_50_mb_upload_within_a_second_without_holding_it(gunicorn):
    port, master = gunicorn
    # Warm up both workers (imports, templates) with refused requests, so that what is
    # measured below is the upload alone.
    for _ in range(6):
        assert post_upload(port, 50 * MB)[0] == 413
    workers = workers_of(master)
    before = {pid: rss_kib(pid) for pid in workers}

    status, elapsed, sent = post_upload(port, 50 * MB)

    after = {pid: rss_kib(pid) for pid in workers}
    growth_kib = max(after[pid] - before[pid] for pid in workers)
    print(
        f"\n50 MB upload: {status} in {elapsed * 1000:.0f} ms after {sent / MB:.1f} MB sent; "
        f"worker RSS {sorted(before.values())} -> {sorted(after.values())} KiB"
    )
    assert status == 413
    assert elapsed is not None and elapsed < 1
    assert growth_kib < 4 * 1024, (before, after)
    assert workers_of(master) == workers  # no worker was killed or replaced


# A view's own limit (portal.middleware.max_body_bytes): the internship report form and the
# follow-up take several files of 10 MB each.

REPORT_URL = "/stages/melden/"


def test_a_view_with_its_own_limit_refuses_above_it_without_reading_the_body():
    status, _, body = call_wsgi(REPORT_URL, 40 * MB, HTTP_ACCEPT_LANGUAGE="en")
    assert status == 413
    assert "at most 32.0\xa0MB" in body


@pytest.mark.django_db
def test_a_view_with_its_own_limit_lets_more_than_the_default_through(client):
    # Declared only: a GET has no body to read, so the length alone is judged.
    length = django_settings.REQUEST_MAX_BODY_BYTES + 5 * MB
    assert client.get(REPORT_URL, CONTENT_LENGTH=str(length)).status_code == 200
    assert client.get(reverse("home"), CONTENT_LENGTH=str(length)).status_code == 413


@pytest.mark.django_db
def test_a_views_limit_follows_the_settings_it_is_made_of(client, settings):
    settings.INTERNSHIPS_MAX_ATTACHMENTS = 1
    settings.INTERNSHIPS_MAX_ATTACHMENT_BYTES = 20 * MB
    assert client.get(REPORT_URL, CONTENT_LENGTH=str(21 * MB)).status_code == 200
    assert client.get(REPORT_URL, CONTENT_LENGTH=str(23 * MB)).status_code == 413


def test_an_unknown_address_keeps_the_default_limit():
    status, _, _ = call_wsgi("/no-such-page/", 13 * MB)
    assert status == 413


def test_the_decorator_keeps_the_view_and_its_access_rule():
    from internships.views.report import report_form
    from portal.middleware import max_body_bytes

    assert callable(report_form.max_body_bytes)
    assert report_form.access_rule.is_public

    def view(request):
        return None

    assert max_body_bytes(1000)(view) is view and view.max_body_bytes == 1000
