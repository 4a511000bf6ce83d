"""Simulated learners for bench/load.py (locust): each signs in as a demo
person of its own, opens My training, then for each module listed reads
the story, makes its decisions, takes the quiz and submits it.

    .venv/bin/locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s \\
        --host http://127.0.0.1:8872

Think time between steps: BENCH_THINK seconds (default "1,3": at random
between 1 and 3 s), far less than a person reading a question takes.
"""

from __future__ import annotations

import itertools
import os
import re

from locust import FastHttpUser, between, task

PASSWORD = "awareness-demo"
PREFIX = os.environ.get("BENCH_USER_PREFIX", "demo")
low, high = (float(n) for n in os.environ.get("BENCH_THINK", "1,3").split(","))
numbers = itertools.count(1)

MODULE = re.compile(r'href="/modules/([\w-]+)/"')
DECISION = re.compile(r'name="decision" value="(\d+)"')
OPTION = re.compile(r'name="option" value="(\d+)"')
CHOICE = re.compile(r'name="choice" value="(\d+)"')
QUESTION = re.compile(r"/attempts/(\d+)/q/(\d+)/")


class Learner(FastHttpUser):
    wait_time = between(low, high)

    def on_start(self) -> None:
        self.username = f"{PREFIX}{next(numbers):06d}"
        self.client.get("/accounts/login/", name="sign-in page")
        self.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD},
            name="sign in",
            expect=302,
        )

    def csrf(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def post(self, path: str, data: dict, *, name: str, expect: int = 200, htmx: bool = False):
        headers = {"X-CSRFToken": self.csrf()}
        if htmx:
            headers["HX-Request"] = "true"
        with self.client.post(
            path,
            data=data,
            headers=headers,
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != expect:
                response.failure(f"{name}: {response.status_code}, expected {expect}")
            else:
                response.success()
            return response

    @task
    def journey(self) -> None:
        home = self.client.get("/", name="my training").text
        for slug in dict.fromkeys(MODULE.findall(home)):
            self.wait()
            self.module(slug)

    def module(self, slug: str) -> None:
        story_url = f"/modules/{slug}/story/"
        page = self.client.get(story_url, name="story").text
        for _ in range(20):  # the story's decisions, one after the other
            open_points = DECISION.findall(page)
            options = OPTION.findall(page)
            if not open_points or not options:
                break
            self.wait()
            page = self.post(
                story_url,
                {"decision": open_points[0], "option": options[0]},
                name="decide",
                htmx=True,
            ).text
        self.wait()
        started = self.post(f"/modules/{slug}/quiz/", {}, name="start quiz", expect=302)
        location = started.headers.get("Location", "")
        match = QUESTION.search(location)
        if not match:  # passed already, or no attempts left: My training says so
            return
        attempt = match.group(1)
        page = self.client.get(location, name="question").text
        for _ in range(50):
            found = QUESTION.search(page)
            choices = CHOICE.findall(page)
            if not found or not choices:
                break
            self.wait()
            response = self.post(
                f"/attempts/{attempt}/q/{found.group(2)}/",
                {"choice": choices[0]},
                name="answer",
                htmx=True,
            )
            if response.headers.get("HX-Redirect"):
                break
            page = response.text
        self.client.get(f"/attempts/{attempt}/review/", name="review")
        self.wait()
        self.post(f"/attempts/{attempt}/submit/", {}, name="submit", expect=302)
        self.client.get(f"/attempts/{attempt}/result/", name="result")
