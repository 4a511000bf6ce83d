"""Names sort by pinyin (alphabetically for other names) in the report's
table and its exports, in SQL: a stored key, Employee.sort_name."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from completion.models import Assignment, Employee
from completion.models.organisation import sort_name
from completion.reports import SORTS
from tests.factories import make_admin, make_people, make_person

pytestmark = pytest.mark.django_db

# Code point order would be 刘 (5218) 曾 (66FE) 李 (674E) 梁 (6881) 王 (738B) 阿 (963F).
PINYIN_ORDER = ["阿芳", "李明", "梁静", "刘伟", "王小明", "曾强"]


def test_the_key_follows_pinyin_then_tone():
    shuffled = ["王小明", "刘伟", "曾强", "阿芳", "梁静", "李明"]
    assert sorted(shuffled, key=sort_name) == PINYIN_ORDER
    # Syllable by syllable: 李明 (li ming) before 梁静 (liang jing), though
    # "liming" > "liangjing" letter by letter.
    assert sort_name("李明") < sort_name("梁静")
    # Same syllable, by tone: 汤 tang1 before 唐 tang2.
    assert sort_name("汤伟") < sort_name("唐伟")
    # 曾 as a surname is zeng, not ceng.
    assert sort_name("曾强").startswith("zeng")


def test_other_names_sort_alphabetically_ignoring_case_and_accents():
    names = ["bob Lee", "Émile Zola", "Alice"]
    assert sorted(names, key=sort_name) == ["Alice", "bob Lee", "Émile Zola"]
    assert set("".join(map(sort_name, names))) <= set("abcdefghijklmnopqrstuvwxyz0123456789")


def test_it_is_kept_in_step_on_save_and_bulk_insert(org):
    user = make_person(org["bureau"], "李明")
    employee = Employee.objects.get(user=user)
    assert employee.sort_name == sort_name("李明")
    employee.full_name = "梁静"
    employee.save(update_fields=["full_name"])
    employee.refresh_from_db()
    assert employee.sort_name == sort_name("梁静")
    other = make_person(None, "x")
    [bulk] = Employee.objects.bulk_create(
        [Employee(user=other, unit=org["bureau"], employee_number="B-1", full_name="王小明")]
    )
    assert Employee.objects.get(pk=bulk.pk).sort_name == sort_name("王小明")


@pytest.fixture
def people(org):
    for name in reversed(PINYIN_ORDER):
        make_person(org["bureau"], name)
    Assignment.objects.assign(
        module=org["module"], unit=org["province"], due_date=timezone.localdate(), by=None
    )
    return org


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_report_sorts_names_by_pinyin(client, people, language):
    page = reverse("completion:unit_report", args=[people["bureau"].pk])
    client.force_login(make_admin(people["bureau"]))
    response = client.get(page, HTTP_ACCEPT_LANGUAGE=language)
    names = [row["full_name"] for row in response.context["page"].object_list]
    # The admin, 管理员 (guan li yuan), among them.
    assert names == ["阿芳", "管理员", "李明", "梁静", "刘伟", "王小明", "曾强"]
    descending = client.get(page + "?sort=-name").context["page"].object_list
    assert [row["full_name"] for row in descending] == list(reversed(names))


def test_the_exports_sort_the_same_and_carry_the_employee_number(client, people):
    client.force_login(make_admin(people["bureau"]))
    response = client.get(reverse("completion:report_csv", args=[people["bureau"].pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:2] == ["Name", "Employee number"]
    names = [row[0] for row in rows[1:]]
    assert names == sorted(["管理员", *PINYIN_ORDER], key=sort_name)
    numbers = dict(Employee.objects.values_list("full_name", "employee_number"))
    assert all(row[1] == numbers[row[0]] for row in rows[1:])


def test_the_sort_stays_in_sql_and_fetches_one_page_only(client, people):
    # The page's keys are one ORDER BY sort_name … LIMIT 50 in the database,
    # so a page never loads everyone, whatever the size of the unit.
    assert SORTS["name"][0] == "sort_name"
    make_people(people["bureau"], 60)
    client.force_login(make_admin(people["bureau"]))
    page = reverse("completion:unit_report", args=[people["bureau"].pk])
    with CaptureQueriesContext(connection) as queries:
        client.get(page)
    # (A UNION is ordered by column position: the key's column is selected.)
    [keys] = [q["sql"] for q in queries if "LIMIT 50" in q["sql"]]
    assert '"sort_name"' in keys and "ORDER BY" in keys
