"""My training, the home page: assigned modules, what next, progress, certificates."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from completion.models import Assignment, Certificate
from tests.factories import local, make_attempt, make_module, make_person, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    unit = make_unit(None, "省")
    return make_person(unit, "王小明")


def assign(module, person, days):
    Assignment.objects.assign(
        module=module, user=person, due_date=timezone.localdate() + timedelta(days=days), by=None
    )


def test_it_shows_assigned_modules_with_due_dates_and_status(client, person):
    papers, gambling = make_module("papers"), make_module("gambling")
    assign(papers, person, -2)
    assign(gambling, person, 10)
    make_attempt(person, gambling, score=None)
    client.force_login(person)
    html = client.get(reverse("home")).content.decode()
    assert "Assigned to you" in html
    assert "Overdue" in html and "In progress" in html
    assert date_format(timezone.localdate() + timedelta(days=10), "DATE_FORMAT") in html


def test_it_puts_overdue_work_next(client, person):
    papers, gambling = make_module("papers"), make_module("gambling")
    assign(papers, person, -2)
    assign(gambling, person, 1)
    make_attempt(person, gambling, score=None)
    client.force_login(person)
    training = client.get(reverse("home")).context["training"]
    assert training.next_module.slug == "papers"


def test_it_shows_overall_progress(client, person):
    papers, gambling = make_module("papers"), make_module("gambling")
    assign(papers, person, 5)
    assign(gambling, person, 5)
    make_attempt(person, papers, score=100, at=timezone.now())
    client.force_login(person)
    html = client.get(reverse("home")).content.decode()
    assert "1 of 2 assigned modules completed (50%)" in html
    assert '<progress max="100" value="50"' in html


def test_it_lists_other_modules_one_can_take(client, person):
    assign(make_module("papers"), person, 5)
    make_module("honey")
    client.force_login(person)
    html = client.get(reverse("home")).content.decode()
    others = html.split("Other modules you can take")[1]
    assert "Module honey" in others and "Module papers" not in others


def test_it_offers_the_acknowledgement_once_passed_without_a_certificate(client, person):
    papers = make_module("papers")
    assign(papers, person, 5)
    make_attempt(person, papers, score=100, at=timezone.now())
    client.force_login(person)
    html = client.get(reverse("home")).content.decode()
    assert reverse("completion:acknowledge", args=["papers"]) in html


def test_it_links_a_valid_certificate_not_a_revoked_one(client, person):
    papers = make_module("papers")
    assign(papers, person, 5)
    attempt = make_attempt(person, papers, score=100, at=local(2026, 1, 5, 10))
    certificate = Certificate.objects.issue_for(completion=attempt.completion)
    client.force_login(person)
    assert certificate.serial in client.get(reverse("home")).content.decode()
    certificate.revoked_at = timezone.now()
    certificate.save()
    html = client.get(reverse("home")).content.decode()
    assert certificate.serial not in html
    assert reverse("completion:acknowledge", args=["papers"]) in html


def test_it_says_when_no_attempts_are_left(client, person):
    papers = make_module("papers", limit=1)
    assign(papers, person, 5)
    make_attempt(person, papers, score=25, at=timezone.now())
    client.force_login(person)
    html = client.get(reverse("home")).content.decode()
    assert "Failed (no attempts left)" in html
    assert "Ask your unit admin" in html


def test_it_uses_a_fixed_number_of_queries(client, person, django_assert_num_queries):
    for slug in ("papers", "gambling", "honey"):
        assign(make_module(slug), person, 5)
    client.force_login(person)
    # session, user, the unit path, the modules with progress, the
    # certificates, the top unit the person administers (none), the
    # person's unit (named under the heading), this year's study hours and
    # the unit's yearly requirement, and the nav's unit-admin check.
    with django_assert_num_queries(10):
        client.get(reverse("home"))
