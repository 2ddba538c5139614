"""One page under load, for benchmarks/load.py: LOAD_PATH, with LOAD_COOKIE if logged in.

Each simulated client requests the page again as soon as it has the answer (no think time),
as wrk does; anything but a 200 counts as a failure (a redirect to the login page too).

LOAD_SCENARIO=write: each client POSTs to the bare write view (one row committed).

LOAD_SCENARIO=intake: each client GETs the desk's intake form (LOAD_PATH) once for its CSRF
cookie and token, then POSTs valid intakes, each with its own e-mail address, in the
municipality LOAD_MUNICIPALITY; anything but the 302 to the success page is a failure.

LOAD_SCENARIO=report: the same for the internship report form (LOAD_PATH): each client GETs it
once for the CSRF cookie and token, then POSTs valid anonymous reports without attachments
about a student of the institution LOAD_INSTITUTION (its primary key); anything but the 302 to
the page with the receipt code is a failure.
"""

import os
import re
import uuid
from urllib.parse import urlencode

from locust import FastHttpUser, constant, task

PATH = os.environ["LOAD_PATH"]
HEADERS = {"Cookie": os.environ["LOAD_COOKIE"]} if os.environ.get("LOAD_COOKIE") else {}


SCENARIO = os.environ.get("LOAD_SCENARIO", "page")


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        with self.client.get(
            PATH, headers=HEADERS, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")


class FormPoster(FastHttpUser):
    """A visitor of a public form: the CSRF cookie and token once, then POSTs without pause."""

    abstract = True
    wait_time = constant(0)

    def on_start(self):
        response = self.client.get(PATH, name=f"{PATH} (form)")
        self.token = re.search(
            rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content
        ).group(1)
        # With DEBUG=0 the CSRF cookie is marked Secure, and a client over plain http keeps
        # it to itself; send it as a browser over https would.
        cookie = re.search(r"csrftoken=([^;]+)", response.headers["Set-Cookie"]).group(1)
        self.cookie = f"csrftoken={cookie}"

    def post_form(self, answers):
        """POST `answers`; anything but the redirect to the form's success page fails."""
        with self.client.post(
            PATH,
            data=urlencode(answers, doseq=True),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": self.cookie,
                "Referer": self.host + PATH,
            },
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")


class Candidate(FormPoster):
    """A career switcher sending the intake form, again and again with other answers."""

    @task
    def intake(self):
        answers = {
            "csrfmiddlewaretoken": self.token.decode(),
            "name": "Bench Kandidaat",
            "email": f"bench-{uuid.uuid4().hex}@example.org",
            "phone": "06 12345678",
            "postcode": "2511 AB",
            "municipality": os.environ["LOAD_MUNICIPALITY"],
            "origin_sector": "business_services",
            "education_level": "hbo",
            "target_sectors": "vo",
            "hours_per_week": "24",
            "heard_via": "social_media",
            "motivation": "Ik wil graag lesgeven.",
            "consent": "on",
        }
        self.post_form(answers)


class Reporter(FormPoster):
    """A student reporting internship discrimination, anonymously and without attachments."""

    @task
    def report(self):
        self.post_form(
            {
                "csrfmiddlewaretoken": self.token.decode(),
                "reporter_role": "student",
                "institution": os.environ["LOAD_INSTITUTION"],
                "level": "hbo",
                "phase": "application",
                "grounds": ["origin", "religion"],
                "description": "Bench: in het sollicitatiegesprek werd naar mijn geloof gevraagd. "
                + uuid.uuid4().hex,
                "occurred_on": "2026-03-15",
                "place": "Bench BV",
                "wish": "advice",
                "anonymous": "yes",
                "consent": "on",
            }
        )


class Writer(FastHttpUser):
    """LOAD_SCENARIO=write: POSTs to the bare write view, the intake's reference."""

    wait_time = constant(0)

    @task
    def write(self):
        with self.client.post(PATH, data=b"", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")


# locust runs every user class in the file; keep the one of this run.
_SCENARIOS = {"page": "Visitor", "intake": "Candidate", "report": "Reporter", "write": "Writer"}
for _class_name in set(_SCENARIOS.values()) - {_SCENARIOS[SCENARIO]}:
    del globals()[_class_name]
