"""The assign and import forms guide (GOV.UK patterns): an error summary
that links to each field, people found by name, a template CSV with the
admin's unit codes, and confirmations that count people."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from completion.models import Assignment, Employee
from tests.factories import make_admin, make_people, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org):
    org["admin"] = make_admin(org["bureau"])
    return org


def due(days=14):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def assign_url(org):
    return reverse("completion:assign", args=[org["bureau"].pk])


def test_an_error_summary_links_to_each_field_with_a_problem(client, org):
    client.force_login(org["admin"])
    response = client.post(assign_url(org), {"target": "people"})
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary.*?</div>', html, re.S).group(0)
    assert "There is a problem" in summary and "autofocus" in summary
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == ["id_modules_0", "id_people", "id_due_date"]
    for target in links:
        assert f'id="{target}"' in html


def test_the_summary_is_in_chinese_too(client, org):
    client.force_login(org["admin"])
    data = {"target": "people"}
    html = client.post(assign_url(org), data, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "存在问题" in html


def test_people_are_found_by_name_within_the_unit_only(client, org):
    make_person(org["section"], "王小明")
    make_person(org["sibling"], "王小红")  # another unit: never found
    client.force_login(org["admin"])
    search = reverse("completion:assign_people_search", args=[org["bureau"].pk])
    html = client.get(search, {"q": "王小"}).content.decode()
    assert "王小明" in html and "王小红" not in html
    # Without JavaScript: the form's own search, people chosen.
    page = client.get(assign_url(org), {"q": "小明"})
    assert "王小明" in page.content.decode()
    assert page.context["form"].initial["target"] == "people"


def checked_and_assigned(client, org, data):
    """The assign form's two steps: check (whom it affects), then assign."""
    checked = client.post(assign_url(org), data)
    assert checked.status_code == 200 and "Before you assign" in checked.content.decode()
    data = {**data, "previewed": checked.context["form"]["previewed"].value()}
    return client.post(assign_url(org), data, follow=True)


def test_people_ticked_by_name_are_assigned(client, org):
    user = make_person(org["section"], "王小明")
    employee = Employee.objects.get(user=user)
    client.force_login(org["admin"])
    data = {"modules": [org["module"].pk], "target": "people", "chosen": [employee.pk]}
    response = checked_and_assigned(client, org, {**data, "due_date": due()})
    assert Assignment.objects.get().user == user
    assert "Module papers: assigned to 1 person." in response.content.decode()


def test_someone_elsewhere_cannot_be_ticked(client, org):
    other = Employee.objects.get(user=make_person(org["sibling"], "王小红"))
    client.force_login(org["admin"])
    data = {"modules": [org["module"].pk], "target": "people", "chosen": [other.pk]}
    response = client.post(assign_url(org), {**data, "due_date": due()})
    assert response.status_code == 400 and not Assignment.objects.exists()


def test_the_confirmation_counts_people(client, org):
    make_people(org["section"], 36)  # 36 below, and the admin in 甲局: 37
    client.force_login(org["admin"])
    Assignment.objects.assign(module=org["module"], unit=org["section"], due_date=due(), by=None)
    data = {"modules": [org["module"].pk], "target": "unit", "unit": org["bureau"].pk}
    response = checked_and_assigned(client, org, {**data, "due_date": due(20)})
    assert "Module papers: assigned to 37 people; 36 already had it." in response.content.decode()


def test_the_import_page_offers_a_template_with_the_unit_codes(client, org):
    client.force_login(org["admin"])
    page = client.get(reverse("completion:import_employees", args=[org["bureau"].pk]))
    html = page.content.decode()
    template = reverse("completion:import_template", args=[org["bureau"].pk])
    assert f'href="{template}"' in html and "<code>B1-S</code>" in html
    response = client.get(template)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["full_name", "employee_number", "unit_code", "email"]
    assert [row[2] for row in rows[1:]] == ["B1", "B1-S"]  # not 乙局 (B2), not the province
    # Filled in one row and left the other: it imports.
    rows[1][:4] = ["李四", "E900", "B1", "lisi@example.gov.cn"]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    upload = SimpleUploadedFile("people.csv", buffer.getvalue().encode(), "text/csv")
    url = reverse("completion:import_employees", args=[org["bureau"].pk])
    client.post(url, {"file": upload})
    assert Employee.objects.get(employee_number="E900").unit == org["bureau"]


def test_the_import_errors_come_in_a_summary(client, org):
    client.force_login(org["admin"])
    upload = SimpleUploadedFile("p.csv", b"full_name,employee_number,unit_code,email\n,E1,B1,\n")
    url = reverse("completion:import_employees", args=[org["bureau"].pk])
    html = client.post(url, {"file": upload}).content.decode()
    assert 'class="error-summary' in html and 'href="#import-problems"' in html


def test_the_forms_queries_do_not_grow_with_people(client, org, django_assert_max_num_queries):
    make_people(org["section"], 300)
    client.force_login(org["admin"])
    with django_assert_max_num_queries(10):
        client.get(assign_url(org), {"q": "员工"})
    with django_assert_max_num_queries(10):
        client.get(reverse("completion:import_employees", args=[org["bureau"].pk]))
