"""Confirming a module's commitment, which issues the certificate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from completion.models import Certificate, Completion
from tests.factories import completed, make_module, make_person, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def module():
    return make_module()


@pytest.fixture
def person():
    return make_person(make_unit(None, "Province", code="P"), "王小明", username="wang")


@pytest.fixture
def url(module):
    return reverse("completion:acknowledge", args=[module.slug])


def test_it_sends_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_hides_the_page_from_someone_who_has_not_passed(client, module, person, url):
    client.force_login(person)

    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "on"}).status_code == 404
    assert not Certificate.objects.exists()


def test_it_shows_the_commitment_to_confirm(client, module, person, url):
    completed(person, module)
    client.force_login(person)

    response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert module.acknowledgement in page
    assert 'type="checkbox"' in page
    assert "I confirm" in page
    assert not Certificate.objects.exists()


def test_it_requires_the_box_to_be_ticked(client, module, person, url):
    completion = completed(person, module)
    client.force_login(person)

    response = client.post(url, {})

    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    completion.refresh_from_db()
    assert completion.acknowledged_at is None
    assert not Certificate.objects.exists()


def test_it_records_the_confirmation_and_issues_the_certificate(client, module, person, url):
    completed(person, module)
    client.force_login(person)

    response = client.post(url, {"confirm": "on"}, follow=True)

    completion = Completion.objects.get(user=person)
    certificate = Certificate.objects.get(completion=completion)
    assert completion.acknowledged_at is not None
    assert completion.acknowledgement_text == module.acknowledgement
    page = response.content.decode()
    assert reverse("completion:certificate_pdf", args=[certificate.serial]) in page
    assert reverse("completion:verify", args=[certificate.token]) in page
    assert certificate.serial in page


def test_a_double_submit_issues_one_certificate(client, module, person, url):
    completed(person, module)
    client.force_login(person)

    client.post(url, {"confirm": "on"})
    client.post(url, {"confirm": "on"})

    assert Certificate.objects.count() == 1


def test_it_tells_the_holder_of_a_revoked_certificate_what_to_do(client, module, person, url):
    completion = completed(person, module)
    Certificate.objects.acknowledge(completion=completion, text="x").revoke(by=None, reason="r")
    client.force_login(person)

    page = client.get(url).content.decode()

    assert "was revoked on" in page
    assert "Pass the module" in page
