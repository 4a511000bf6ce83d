"""The public check page: by QR token or by serial number and name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import certified, make_module, make_person, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    person = make_person(make_unit(None, "Province", code="P"), "王小明", username="wang")
    # Fifteen questions a sitting, so that a score of 93% can be earned (14 of 15).
    module = make_module(
        "design-drawings", "The engineer who sold his drawings", questions=15, draw=15
    )
    return certified(person, module, score=93)


def test_it_needs_no_sign_in_and_says_valid(client, certificate):
    response = client.get(reverse("completion:verify", args=[certificate.token]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "This certificate is valid" in page
    assert "王小明" in page
    assert "The engineer who sold his drawings" in page
    assert certificate.serial in page
    assert certificate.issuing_organisation in page


def test_it_says_revoked_with_the_date(client, certificate):
    certificate.revoke(by=None, reason="Confidential reason about the person")

    response = client.get(reverse("completion:verify", args=[certificate.token]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "was revoked on" in page
    assert "is no longer valid" in page
    assert "This certificate is valid" not in page
    # The reason is not printed on the certificate, so the public never sees it.
    assert "Confidential reason" not in page


def test_it_reveals_nothing_beyond_the_certificate(client, certificate):
    page = client.get(reverse("completion:verify", args=[certificate.token])).content.decode()

    assert "wang" not in page  # the account name
    assert "Province" not in page  # the unit
    assert certificate.user.employee.employee_number not in page


def test_it_says_plainly_when_a_token_is_unknown(client, certificate):
    response = client.get(reverse("completion:verify", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "No certificate has this address" in response.content.decode()


def test_it_finds_a_certificate_by_serial_and_name(client, certificate):
    response = client.post(
        reverse("completion:verify_lookup"),
        {"serial": certificate.serial.lower(), "name": " 王小明 "},
    )

    assert response.status_code == 200
    assert "This certificate is valid" in response.content.decode()


def test_it_does_not_reveal_a_name_from_a_serial_alone(client, certificate):
    response = client.post(
        reverse("completion:verify_lookup"), {"serial": certificate.serial, "name": "李四"}
    )

    assert response.status_code == 404
    page = response.content.decode()
    assert "No certificate has this serial number and name" in page
    assert "王小明" not in page


def test_it_says_plainly_when_a_serial_is_unknown(client, certificate):
    response = client.post(
        reverse("completion:verify_lookup"), {"serial": "AW-1999-000001", "name": "王小明"}
    )

    assert response.status_code == 404
    assert "No certificate has this serial number and name" in response.content.decode()


def test_it_shows_an_empty_form_first(client):
    response = client.get(reverse("completion:verify_lookup"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="serial"' in page
    assert "No certificate" not in page


def test_a_name_in_the_address_is_ignored(client, certificate):
    # The lookup is a POST: a GET with a name shows the empty form, no result.
    response = client.get(
        reverse("completion:verify_lookup"), {"serial": certificate.serial, "name": "王小明"}
    )
    assert response.status_code == 200
    assert "This certificate is valid" not in response.content.decode()


def test_more_than_twenty_lookups_a_minute_from_one_address_answer_429(client, certificate):
    url = reverse("completion:verify_lookup")
    misses = [
        client.post(url, {"serial": f"AW-2026-{n:06d}", "name": "王伟"}).status_code
        for n in range(20)
    ]
    assert set(misses) == {404}
    # The 21st is refused, a hit as much as a miss.
    hit = client.post(url, {"serial": certificate.serial, "name": "王小明"})
    assert hit.status_code == 429
    assert "This certificate is valid" not in hit.content.decode()
    assert "Wait a minute" in hit.content.decode()
    # Another address is not held back.
    other = client.post(
        url, {"serial": certificate.serial, "name": "王小明"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 200


def test_the_count_forgets_uses_older_than_a_minute(client, certificate):
    from datetime import timedelta

    from django.utils import timezone

    from completion.models import PublicLookup

    url = reverse("completion:verify_lookup")
    for n in range(20):
        client.post(url, {"serial": f"AW-2026-{n:06d}", "name": "王伟"})
    PublicLookup.objects.update(at=timezone.now() - timedelta(minutes=2))
    assert client.post(url, {"serial": certificate.serial, "name": "王小明"}).status_code == 200
    assert PublicLookup.objects.count() == 1
