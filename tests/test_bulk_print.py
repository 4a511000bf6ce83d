"""Printing many certificates as one PDF, in the background."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from completion.models import BulkPrintJob
from tests.factories import (
    certified,
    make_admin,
    make_module,
    make_person,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org, media_root):
    """The shared organisation, with 甲局 as "the city" (and its section as
    the district below it): certificates of its module for three people in
    the city, and ones that must not be printed with them — from 乙局, of
    another module, passed too late, revoked. An admin of the city."""
    city, district = org["bureau"], org["section"]
    module = org["module"]
    other_module = make_module("other", "Another module")
    when = timezone.make_aware(datetime.datetime(2026, 3, 10, 10))

    def certify(username, name, unit, module=module, when=when):
        person = make_person(unit, name, username=username)
        return certified(person, module, when=when)

    in_city = [certify("c1", "王小明", city), certify("c2", "欧阳娜娜", district)]
    in_city.append(certify("c3", "司马懿", district))
    certify("o1", "Outside", org["sibling"])
    certify("m1", "Other module", district, module=other_module)
    certify("late", "Too late", district, when=when + datetime.timedelta(days=60))
    certify("revoked", "Revoked", district).revoke(by=None, reason="r")
    org.update(
        city=city,
        other_city=org["sibling"],
        admin=make_admin(city, username="city-admin"),
        in_city=in_city,
    )
    return org


def form_data(org, unit=None):
    return {
        "unit": (unit or org["city"]).pk,
        "module": org["module"].pk,
        "passed_from": "2026-03-01",
        "passed_to": "2026-03-31",
    }


def test_it_prints_the_selection_as_one_pdf_with_a_page_each(client, org, immediate_tasks):
    client.force_login(org["admin"])

    response = client.post(reverse("completion:bulk_print"), form_data(org))

    job = BulkPrintJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("completion:bulk_print_job", args=[job.pk])
    assert job.state == BulkPrintJob.State.DONE
    assert (job.total, job.done) == (3, 3)
    download = client.get(reverse("completion:bulk_print_download", args=[job.pk]))
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert len(pdf.pages) == 3
    printed = [page.extract_text() for page in pdf.pages]
    for certificate in org["in_city"]:
        assert sum(certificate.serial in text for text in printed) == 1


def test_it_renders_in_chunks_and_joins_them_page_by_page(org, monkeypatch):
    from completion import pdf, tasks

    chunks = []
    render_html = pdf.render_html

    def spy(chunk):
        chunks.append(len(chunk))
        return render_html(chunk)

    monkeypatch.setattr(pdf, "CHUNK_SIZE", 2)
    monkeypatch.setattr(tasks, "CHUNK_SIZE", 2)
    monkeypatch.setattr(pdf, "render_html", spy)
    job = BulkPrintJob.objects.create(
        requested_by=org["admin"], unit=org["province"], filters={"module": org["module"].pk}
    )

    tasks.print_certificates.call(job_id=job.pk)

    job.refresh_from_db()
    # Three in the city, one in the other city, one passed later.
    assert chunks == [2, 2, 1]
    with job.file.open("rb") as file:
        assert len(PdfReader(file).pages) == job.total == job.done == 5


# The worker closes its database connection after each task, as it should;
# inside a test transaction (PostgreSQL) that would end the test's own.
@pytest.mark.django_db(transaction=True)
def test_it_queues_the_job_for_the_worker(client, org, settings):
    client.force_login(org["admin"])

    client.post(reverse("completion:bulk_print"), form_data(org))

    job = BulkPrintJob.objects.get()
    assert job.state == BulkPrintJob.State.QUEUED
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    job.refresh_from_db()
    assert job.state == BulkPrintJob.State.DONE
    assert job.file.name.endswith(".pdf")


def test_its_page_shows_progress_and_polls_until_ready(client, org):
    job = BulkPrintJob.objects.create(
        requested_by=org["admin"], unit=org["city"], total=40, done=10
    )
    client.force_login(org["admin"])
    url = reverse("completion:bulk_print_job", args=[job.pk])

    page = client.get(url).content.decode()
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "10 of 40 certificates prepared" in page
    assert f'href="{url}"' in page  # the Refresh link, without JavaScript
    assert 'data-hx-trigger="every 2s"' in partial
    assert "<html" not in partial


def test_its_page_offers_the_download_when_ready(client, org):
    job = BulkPrintJob.objects.create(
        requested_by=org["admin"], unit=org["city"], total=3, done=3, state="done"
    )
    client.force_login(org["admin"])

    page = client.get(reverse("completion:bulk_print_job", args=[job.pk])).content.decode()

    assert reverse("completion:bulk_print_download", args=[job.pk]) in page
    assert "every 2s" not in page


def test_it_offers_only_units_in_the_admins_subtree(client, org):
    client.force_login(org["admin"])

    page = client.get(reverse("completion:bulk_print")).content.decode()
    response = client.post(reverse("completion:bulk_print"), form_data(org, org["other_city"]))

    assert "保密处" in page  # the district below the city
    assert "乙局" not in page  # the other city
    assert response.status_code == 400  # a unit not offered does not fit the form
    assert not BulkPrintJob.objects.exists()


def test_it_sends_anonymous_visitors_to_sign_in(client, org):
    response = client.get(reverse("completion:bulk_print"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_hides_bulk_printing_from_people_who_administer_nothing(client, org):
    client.force_login(make_person(None, username="plain"))

    assert client.get(reverse("completion:bulk_print")).status_code == 404


def test_it_hides_another_admins_job(client, org):
    job = BulkPrintJob.objects.create(requested_by=org["admin"], unit=org["city"])
    client.force_login(make_admin(org["province"], username="other-admin"))

    assert client.get(reverse("completion:bulk_print_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("completion:bulk_print_download", args=[job.pk])).status_code == 404


def test_it_says_when_nothing_matches(client, org):
    client.force_login(org["admin"])

    response = client.post(
        reverse("completion:bulk_print"),
        {**form_data(org), "passed_from": "2026-06-01", "passed_to": "2026-06-30"},
    )

    assert response.status_code == 200
    assert "No valid certificates match this selection." in response.content.decode()
    assert not BulkPrintJob.objects.exists()


def test_it_caps_the_size_of_one_pdf(client, org, monkeypatch):
    monkeypatch.setattr(BulkPrintJob, "MAX_CERTIFICATES", 2)
    client.force_login(org["admin"])

    response = client.post(reverse("completion:bulk_print"), form_data(org))

    assert "3 certificates match: narrow the selection to at most 2" in response.content.decode()
    assert not BulkPrintJob.objects.exists()


def test_it_marks_a_job_that_failed(org, monkeypatch):
    from completion import tasks

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(tasks, "write_bulk_pdf", broken)
    job = BulkPrintJob.objects.create(requested_by=org["admin"], unit=org["city"])

    with pytest.raises(OSError):
        tasks.print_certificates.call(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == BulkPrintJob.State.FAILED
    assert job.error == "disk full"
    assert job.finished_at is not None


def test_its_form_page_costs_the_same_queries_however_many_jobs(
    client, org, django_assert_num_queries
):
    for _ in range(5):
        BulkPrintJob.objects.create(requested_by=org["admin"], unit=org["city"], total=3)
    client.force_login(org["admin"])

    # Session, user, the admin's unit paths, the navigation's admin check, the
    # units offered (twice: Django's required <select> peeks at its first
    # choice), the modules offered, and the recent jobs with their units.
    with django_assert_num_queries(8):
        response = client.get(reverse("completion:bulk_print"))

    assert response.content.decode().count("<tr>") == 6  # header + 5 jobs
