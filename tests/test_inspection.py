"""The inspection pack: one workbook of a unit's assignments (with who set
them and every due-date change), completions, commitments and certificates
with revocations — its subtree only, started by POST, written by the worker."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from completion.models import Assignment, Certificate, Completion, ExportJob
from tests.factories import make_admin, make_attempt, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org, media_root, immediate_tasks):
    """The shared organisation, its module assigned to 甲局 by its admin
    (then the due date moved once). 李明 (甲局) and 钱芳 (乙局) passed and
    confirmed the commitment; 李明's certificate was revoked. Jobs run at once."""
    module = org["module"]
    bureau, sibling = org["bureau"], org["sibling"]
    admin = make_admin(bureau)
    due = timezone.localdate() + timedelta(days=10)
    Assignment.objects.assign(module=module, unit=bureau, due_date=due, by=admin)
    Assignment.objects.assign(
        module=module, unit=bureau, due_date=due + timedelta(days=5), by=admin
    )
    inside, outside = make_person(bureau, "李明"), make_person(sibling, "钱芳")
    for person in (inside, outside):
        make_attempt(person, module, score=100, at=timezone.now())
        completion = Completion.objects.get(user=person)
        certificate = Certificate.objects.acknowledge(completion=completion, text="I will.")
    Certificate.objects.get(user=inside).revoke(by=admin, reason="Issued in error")
    org.update(admin=admin, stranger=make_admin(sibling), cert=certificate)
    return org


def test_it_writes_the_units_history_in_five_sheets(client, org):
    client.force_login(org["admin"])
    response = client.post(reverse("completion:inspection_pack", args=[org["bureau"].pk]))
    job = ExportJob.objects.get()
    assert response.url == reverse("completion:export_job", args=[job.pk])
    assert (job.kind, job.state) == ("inspection", "done")
    download = client.get(reverse("completion:export_download", args=[job.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="inspection-')
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames == [
        "Assignments",
        "Due-date changes",
        "Completions",
        "Commitments",
        "Certificates",
    ]
    assignments = list(book["Assignments"].values)[1:]
    assert [(row[0], row[2], row[4]) for row in assignments] == [
        ("Module papers", "甲局", "管理员")
    ]
    changes = list(book["Due-date changes"].values)[1:]
    assert len(changes) == 1 and changes[0][3] == "管理员"
    people = {row[0] for row in list(book["Completions"].values)[1:]}
    assert people == {"李明"}  # the sibling unit's person is not in it
    assert [row[4] for row in list(book["Commitments"].values)[1:]] == ["I will."]
    certificates = list(book["Certificates"].values)[1:]
    assert [(row[1], row[8], row[9]) for row in certificates] == [
        ("李明", "管理员", "Issued in error")
    ]


def test_it_starts_by_post_only_and_for_admins_of_the_unit(client, org):
    url = reverse("completion:inspection_pack", args=[org["bureau"].pk])
    client.force_login(org["admin"])
    assert client.get(url).status_code == 405
    client.force_login(org["stranger"])
    assert client.post(url).status_code == 404
    assert not ExportJob.objects.exists()
