"""Downloading a certificate: the holder, admins above the holder, nobody else."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import (
    certified,
    make_admin,
    make_person,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org):
    """The shared organisation: 王小明, in 甲局's section, holds a certificate;
    李四 works beside him; admins of 甲局 (above him) and of 乙局 (beside)."""
    holder = make_person(org["section"], "王小明", username="wang")
    certificate = certified(holder, org["module"])
    org.update(
        certificate=certificate,
        holder=holder,
        parent_admin=make_admin(org["bureau"], username="city-admin"),
        sibling_admin=make_admin(org["sibling"], username="sibling-admin"),
        stranger=make_person(org["section"], "李四", username="li"),
        url=reverse("completion:certificate_pdf", args=[certificate.serial]),
    )
    return org


def test_it_sends_anonymous_visitors_to_sign_in(client, org):
    response = client.get(org["url"])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_gives_the_holder_their_pdf(client, org):
    client.force_login(org["holder"])

    response = client.get(org["url"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert org["certificate"].serial in response["Content-Disposition"]


def test_it_gives_an_admin_of_a_unit_above_the_pdf(client, org):
    client.force_login(org["parent_admin"])

    assert client.get(org["url"]).status_code == 200


def test_it_gives_a_superuser_the_pdf(client, org):
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))

    assert client.get(org["url"]).status_code == 200


@pytest.mark.parametrize("who", ["sibling_admin", "stranger"])
def test_it_hides_it_from_everyone_else(client, org, who):
    client.force_login(org[who])

    assert client.get(org["url"]).status_code == 404


def test_it_no_longer_serves_a_revoked_certificate(client, org):
    org["certificate"].revoke(by=None, reason="Error")
    client.force_login(org["holder"])

    assert client.get(org["url"]).status_code == 404
