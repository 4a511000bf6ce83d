"""The employee CSV import: all rows checked first, nothing imported on any error."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from completion.models import Employee
from tests.factories import make_admin, make_person

pytestmark = pytest.mark.django_db

HEADER = "full_name,employee_number,unit_code,email\n"


@pytest.fixture
def org(org):
    """The shared organisation (its units' codes are what the files name),
    with an admin of 甲局."""
    org["admin"] = make_admin(org["bureau"])
    return org


def upload(client, org, text: str):
    client.force_login(org["admin"])
    data = SimpleUploadedFile("people.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(
        reverse("completion:import_employees", args=[org["bureau"].pk]), {"file": data}, follow=True
    )


GOOD = HEADER + "王小红,E100,B1,wxh@example.gov.cn\n李雷,E101,B1-S,lilei@example.gov.cn\n"


def test_it_is_a_404_for_a_sibling_units_admin(client, org):
    client.force_login(make_admin(org["sibling"]))
    url = reverse("completion:import_employees", args=[org["bureau"].pk])
    assert client.get(url).status_code == 404


def test_it_creates_people_with_unusable_passwords(client, org):
    response = upload(client, org, GOOD)
    assert "2 added, 0 updated, 0 unchanged" in response.content.decode()
    employee = Employee.objects.get(employee_number="E101")
    assert (employee.full_name, employee.unit) == ("李雷", org["section"])
    assert employee.user.email == "lilei@example.gov.cn"
    assert not employee.user.has_usable_password()


def test_importing_the_same_file_twice_changes_nothing(client, org):
    upload(client, org, GOOD)
    before = list(Employee.objects.values_list("employee_number", "full_name", "unit", "user"))
    response = upload(client, org, GOOD)
    assert "0 added, 0 updated, 2 unchanged" in response.content.decode()
    after = list(Employee.objects.values_list("employee_number", "full_name", "unit", "user"))
    assert after == before


def test_it_updates_a_known_person(client, org):
    upload(client, org, GOOD)
    upload(client, org, HEADER + "李雷,E101,B1,new@example.gov.cn\n")
    employee = Employee.objects.get(employee_number="E101")
    assert (employee.unit, employee.user.email) == (org["bureau"], "new@example.gov.cn")


def test_one_bad_row_imports_nothing_and_names_the_row(client, org):
    text = GOOD + "韩梅梅,E102,B2,hmm@example.gov.cn\n" + "张伟,E103,B1,not-an-email\n"
    response = upload(client, org, text)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in html
    assert "Row 4" in html and "is not in your unit" in html  # B2 belongs to the sibling
    assert "Row 5" in html and "is not an email address" in html
    assert "Row 2" not in html
    assert not Employee.objects.filter(employee_number__startswith="E1").exists()
    assert not get_user_model().objects.filter(username__startswith="E1").exists()


def test_it_lists_duplicates_and_missing_values(client, org):
    text = HEADER + "王小红,E100,B1,a@example.gov.cn\n,E100,B1,\n"
    html = upload(client, org, text).content.decode()
    assert "employee number E100 is also on row 2" in html
    assert "full_name is empty" in html


def test_it_refuses_to_move_someone_from_another_unit(client, org):
    outsider = make_person(org["sibling"])
    number = outsider.employee.employee_number
    html = upload(client, org, HEADER + f"外人,{number},B1,x@example.gov.cn\n").content.decode()
    # One neutral message: it does not tell that the number exists elsewhere.
    assert f"employee number {number} cannot be imported from here" in html
    outsider.employee.refresh_from_db()
    assert outsider.employee.unit == org["sibling"]


def test_it_refuses_a_file_without_the_columns(client, org):
    html = upload(client, org, "name,number\n王,1\n").content.decode()
    assert "Missing columns" in html


def test_it_never_changes_a_superuser_a_staff_user_or_a_unit_admin(client, org):
    superuser = make_person(org["section"], username="root")
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    colleague_admin = make_admin(org["section"])
    rows = [
        f"改名,{superuser.employee.employee_number},B1,outside@example.com",
        f"改名,{colleague_admin.employee.employee_number},B1,outside@example.com",
        "改名,root,B1,outside@example.com",  # the superuser's username
    ]
    html = upload(client, org, HEADER + "\n".join(rows) + "\n").content.decode()
    assert html.count("cannot be imported from here") == 3
    superuser.refresh_from_db()
    assert (superuser.email, superuser.employee.full_name) == ("", "张三")
    assert superuser.employee.unit == org["section"]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("王\x00明", "full_name holds a control character"),
        ("王\x1b明", "full_name holds a control character"),
        ("王" * 201, "full_name is longer than 200 characters"),
    ],
)
def test_it_refuses_control_characters_and_overlong_values(client, org, cell, message):
    response = upload(client, org, HEADER + f'"{cell}",E300,B1,a@example.gov.cn\n')
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Employee.objects.filter(employee_number="E300").exists()


def test_it_refuses_an_overlong_number_and_a_number_equal_to_an_account(client, org):
    get_user_model().objects.create_user("E400")
    text = HEADER + f"甲,{'9' * 51},B1,a@example.gov.cn\n乙,E400,B1,b@example.gov.cn\n"
    html = upload(client, org, text).content.decode()
    assert "employee_number is longer than 50 characters" in html
    assert "employee number E400 cannot be imported from here" in html


def test_malformed_csv_is_a_row_message(client, org):
    response = upload(client, org, HEADER + '王,"E500,B1,a@example.gov.cn\n')
    assert response.status_code == 400
    html = response.content.decode()
    assert "not valid CSV" in html or "is empty" in html
    assert not Employee.objects.filter(employee_number__startswith="E5").exists()


def test_it_refuses_a_file_over_five_megabytes_before_reading_it(client, org):
    client.force_login(org["admin"])
    big = SimpleUploadedFile("big.csv", b"x" * (5 * 1024 * 1024 + 1), content_type="text/csv")
    response = client.post(
        reverse("completion:import_employees", args=[org["bureau"].pk]), {"file": big}
    )
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()


def test_it_refuses_more_than_twenty_thousand_rows(client, org, monkeypatch):
    from completion import imports

    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    text = HEADER + "".join(f"人{n},E6{n:02d},B1,p{n}@example.gov.cn\n" for n in range(4))
    assert "At most 3 rows per file." in upload(client, org, text).content.decode()
    assert not Employee.objects.filter(employee_number__startswith="E6").exists()
