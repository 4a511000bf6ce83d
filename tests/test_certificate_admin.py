"""Revoking certificates in the admin: with a reason, never by deleting."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.urls import reverse

from completion.models import Certificate
from tests.factories import certified, make_module, make_person, make_unit

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:completion_certificate_changelist")


@pytest.fixture
def superuser(client):
    user = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(user)
    return user


@pytest.fixture
def certificate():
    person = make_person(make_unit(None, "Province", code="P"), "王小明", username="wang")
    return certified(person, make_module())


def test_it_asks_for_a_reason_before_revoking(client, superuser, certificate):
    response = client.post(CHANGELIST, {"action": "revoke", ACTION_CHECKBOX_NAME: [certificate.pk]})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Reason for revocation" in page
    assert certificate.serial in page
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_it_revokes_with_the_reason_and_who(client, superuser, certificate):
    response = client.post(
        CHANGELIST,
        {
            "action": "revoke",
            ACTION_CHECKBOX_NAME: [certificate.pk],
            "reason": "Passed under someone else's account",
        },
    )

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoked_by == superuser
    assert certificate.revoked_reason == "Passed under someone else's account"


def test_it_never_deletes_or_adds_certificates(client, superuser, certificate):
    changelist = client.get(CHANGELIST).content.decode()

    assert 'value="delete_selected"' not in changelist
    assert client.get(reverse("admin:completion_certificate_add")).status_code == 403
    delete_url = reverse("admin:completion_certificate_delete", args=[certificate.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_it_shows_the_certificate_read_only(client, superuser, certificate):
    url = reverse("admin:completion_certificate_change", args=[certificate.pk])

    client.post(url, {"holder_name": "Someone else"})

    certificate.refresh_from_db()
    assert certificate.holder_name == "王小明"
