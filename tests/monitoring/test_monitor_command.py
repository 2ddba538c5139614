"""`manage.py generate_monitor`: the monitor made in the process, written to a file, kept."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from monitoring.models import Monitor
from tests.monitoring.test_monitor_services import pdf_text, report_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_command_writes_the_pdf_and_keeps_the_monitor(tmp_path, capsys):
    report_data()
    output = tmp_path / "monitor.pdf"

    call_command("generate_monitor", period="2025-2026", output=str(output), language="en")

    pdf = output.read_bytes()
    monitor = Monitor.objects.get()
    assert monitor.status == Monitor.Status.DONE
    assert monitor.checksum == hashlib.sha256(pdf).hexdigest()
    assert monitor.parameters["source"] == "command"
    assert "1.1 Zij-instroomroute" in pdf_text(pdf)
    assert monitor.checksum in capsys.readouterr().out


def test_no_record_only_writes_the_file(tmp_path):
    output = tmp_path / "monitor.pdf"

    call_command(
        "generate_monitor", period="2025-2026", output=str(output), language="en", no_record=True
    )

    assert "no data" in pdf_text(output.read_bytes())
    assert not Monitor.objects.exists()


@pytest.mark.parametrize("period", ["2025", "2025-2027", "x"])
def test_a_wrong_period_is_refused(tmp_path, period):
    with pytest.raises(CommandError, match="two years in a row"):
        call_command("generate_monitor", period=period, output=str(tmp_path / "m.pdf"))


def test_a_failing_render_fails_the_command_with_the_reason(tmp_path, monkeypatch):
    from monitoring import report

    def broken(*args, **kwargs):
        raise ValueError("no fonts")

    monkeypatch.setattr(report, "render", broken)

    with pytest.raises(CommandError, match="no fonts"):
        call_command("generate_monitor", period="2025-2026", output=str(tmp_path / "m.pdf"))
    assert Monitor.objects.get().status == Monitor.Status.FAILED
