"""One page under load, for benchmarks/load.py: LOAD_PATH, with LOAD_COOKIE if logged in.

Each simulated client requests the page again as soon as it has the answer (no think time),
as wrk does; anything but a 200 counts as a failure (a redirect to the login page too).
"""

import os

from locust import FastHttpUser, constant, task

PATH = os.environ["LOAD_PATH"]
HEADERS = {"Cookie": os.environ["LOAD_COOKIE"]} if os.environ.get("LOAD_COOKIE") else {}


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        with self.client.get(
            PATH, headers=HEADERS, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
