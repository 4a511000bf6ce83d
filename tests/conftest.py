"""Shared fixtures: the demo, one small organisation (`org`), background
tasks run at once, and a real browser for journeys. Test data is built with
`tests.factories`; browser steps (`sign_in` and the journeys) live in
`tests.browser_helpers`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_configure(config) -> None:
    """Passwords are hashed with a fast hasher in tests. The production
    hasher (PBKDF2, a million rounds) costs about a quarter of a second per
    password on these machines, and the suite sets and checks thousands of
    them (every demo build, every factory-made person, every sign-in): that
    alone took CI past its time. What is tested about passwords (they are
    checked, locked out, reset) does not depend on the hasher's cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Every test starts in the site's default language, whatever an earlier
    request in the same thread activated (a streamed response, for one,
    keeps its language active after the request)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo(db) -> None:
    """The content fixtures and demo accounts, as `make run` has them, but
    with no language chosen: the demo's people read in Chinese, and the
    tests read the site in English unless they switch (`chinese_demo`)."""
    from completion.models import Employee

    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    Employee.objects.update(language="")


@pytest.fixture
def chinese_demo(db) -> None:
    """The demo exactly as `make run` has it: its people read in Chinese."""
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def org(db) -> dict:
    """The organisation the unit admin's pages are tested in:

        省 (P)
        ├── 甲局 (B1) ── 保密处 (B1-S)
        └── 乙局 (B2)

    and one published module, "papers", of two questions, both asked at every
    attempt (so a score is 0, 50 or 100 and a report of missed questions is
    the same for everyone). Nobody works there yet: a test module that needs
    people, admins or history adds them by overriding `org` with a fixture of
    the same name that takes this one."""
    from tests.factories import make_module, make_unit

    province = make_unit(None, "省", code="P")
    bureau = make_unit(province, "甲局", code="B1")
    section = make_unit(bureau, "保密处", code="B1-S")
    sibling = make_unit(province, "乙局", code="B2")
    return {
        "province": province,
        "bureau": bureau,
        "section": section,
        "sibling": sibling,
        "module": make_module("papers", questions=2),
    }


@pytest.fixture
def immediate_tasks(settings) -> None:
    """Background tasks (exports, bulk prints) run at once, inside the
    request that enqueues them, instead of waiting for a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """Files the app writes (job results) go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def user_factory(db):
    User = get_user_model()

    def make(username: str = "someone", **extra):
        user = User.objects.create_user(username=username, password="pw-for-tests-only", **extra)
        return user

    return make


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Debian Chromium for the whole run, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser tab (no cookies) pointed at the live test server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def directory_server() -> Iterator:
    """A real OpenLDAP slapd on loopback with the test organisation
    (tests/directory_helpers.py), for the whole run."""
    from tests.directory_helpers import find_slapd, start_directory, test_tree_ldif

    if find_slapd() is None:
        reason = "slapd is not installed and could not be installed: run bin/system-deps --test"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = start_directory(test_tree_ldif())
    yield server
    server.stop()


@pytest.fixture
def directory(directory_server, settings):
    """The site signed in through that directory, as AUTH_LDAP_* would set it."""
    for name, value in directory_server.settings().items():
        setattr(settings, name, value)
    return directory_server


@pytest.fixture
def trainer_factory(user_factory):
    """Staff users in the Trainers group: the content permissions, as the
    demo's `trainer` has them."""
    from django.contrib.auth.models import Group

    def make(username: str = "trainer", **extra):
        user = user_factory(username, is_staff=True, **extra)
        user.groups.add(Group.objects.get(name="Trainers"))
        return user

    return make
