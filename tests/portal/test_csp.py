"""The Content-Security-Policy header (django-csp) on every kind of response."""

import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header):
    return dict(part.strip().split(None, 1) for part in header.split(";") if part.strip())


def assert_policy(response, header="Content-Security-Policy"):
    policy = directives(response[header])
    for name, value in REQUIRED.items():
        assert policy[name] == value, (name, policy.get(name))
    assert "unsafe-inline" not in response[header]
    assert "unsafe-eval" not in response[header]


@pytest.mark.django_db
def test_a_public_page_has_the_policy(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_policy(response)
    assert "Content-Security-Policy-Report-Only" not in response


@pytest.mark.django_db
def test_a_logged_in_page_has_the_policy(editor_client):
    response = editor_client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert_policy(response)


@pytest.mark.django_db
def test_error_pages_have_the_policy(client, editor_client):
    not_found = client.get("/bestaat-niet/")
    assert not_found.status_code == 404
    assert_policy(not_found)
    forbidden = editor_client.get(reverse("audit-trail"))
    assert forbidden.status_code == 403
    assert_policy(forbidden)
    too_large = client.post(
        reverse("home"), CONTENT_LENGTH=str(django_settings.REQUEST_MAX_BODY_BYTES + 1)
    )
    assert too_large.status_code == 413
    assert_policy(too_large)


@pytest.mark.django_db
def test_the_admin_has_the_policy(programme_client):
    response = programme_client.get("/admin/")
    assert response.status_code == 200
    assert_policy(response)


@pytest.mark.django_db
def test_report_only_from_the_environment_reports_instead_of_blocking(
    client, settings, monkeypatch
):
    monkeypatch.setenv("CSP_REPORT_ONLY", "1")
    monkeypatch.setenv("CSP_REPORT_URI", "https://csp.example.org/report")
    configured = runpy.run_path(str(Path(django_settings.BASE_DIR, "portal", "settings.py")))
    assert "CONTENT_SECURITY_POLICY" not in configured
    settings.CONTENT_SECURITY_POLICY = None
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = configured["CONTENT_SECURITY_POLICY_REPORT_ONLY"]

    response = client.get(reverse("home"))
    assert "Content-Security-Policy" not in response
    assert_policy(response, header="Content-Security-Policy-Report-Only")
    assert directives(response["Content-Security-Policy-Report-Only"])["report-uri"] == (
        "https://csp.example.org/report"
    )


# Web page templates hold nothing that the policy blocks. E-mail templates are exempt: mail
# clients ignore the policy and need inline styles.
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"), "script"),
    (re.compile(r"<style\b"), "<style>"),
    (re.compile(r"\sstyle\s*="), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event handler attribute"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
]


def page_templates():
    base = Path(django_settings.BASE_DIR)
    roots = [base / "templates", *base.glob("*/templates")]
    for root in roots:
        for path in root.rglob("*.html"):
            if "emails" not in path.relative_to(root).parts:
                yield path


def test_no_template_has_inline_scripts_or_styles():
    found = []
    for path in page_templates():
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(django_settings.BASE_DIR)}:{line}: {what}")
    assert found == []
