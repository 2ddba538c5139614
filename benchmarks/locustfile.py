"""One page under load, for benchmarks/load.py: LOAD_PATH, with LOAD_COOKIE if logged in.

Each simulated client requests the page again as soon as it has the answer (no think time),
as wrk does; anything but a 200 counts as a failure (a redirect to the login page too).

LOAD_SCENARIO=write: each client POSTs to the bare write view (one row committed).

LOAD_SCENARIO=intake: each client GETs the desk's intake form (LOAD_PATH) once for its CSRF
cookie and token, then POSTs valid intakes, each with its own e-mail address, in the
municipality LOAD_MUNICIPALITY; anything but the 302 to the success page is a failure.
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


class Candidate(FastHttpUser):
    """A career switcher sending the intake form, again and again with other answers."""

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
        with self.client.post(
            PATH,
            data=urlencode(answers),
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


class Writer(FastHttpUser):
    """LOAD_SCENARIO=write: POSTs to the bare write view, the intake's reference."""

    wait_time = constant(0)

    @task
    def write(self):
        with self.client.post(PATH, data=b"", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")


# locust runs every user class in the file; keep the one of this run.
_SCENARIOS = {"page": "Visitor", "intake": "Candidate", "write": "Writer"}
for _class_name in set(_SCENARIOS.values()) - {_SCENARIOS[SCENARIO]}:
    del globals()[_class_name]
