"""The assign page: modules to a unit (and later joiners) or chosen people."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from completion.models import Assignment, DueDateChange, Employee
from tests.factories import make_admin, make_person, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org):
    """The shared organisation, with an admin of 甲局."""
    org["admin"] = make_admin(org["bureau"])
    return org


def due(days=14):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def preview(client, org, **data):
    """The first step: the form checked, with whom it affects; nothing saved."""
    client.force_login(org["admin"])
    url = reverse("completion:assign", args=[org["bureau"].pk])
    return client.post(url, {"modules": [org["module"].pk], "due_date": due(), **data})


def post(client, org, **data):
    """Both steps: check, then assign exactly what was checked."""
    response = preview(client, org, **data)
    if response.status_code != 200:
        return response  # refused: the form, with its errors
    data = {"modules": [org["module"].pk], "due_date": due(), **data}
    data["previewed"] = response.context["form"]["previewed"].value()
    url = reverse("completion:assign", args=[org["bureau"].pk])
    return client.post(url, data, follow=True)


def test_it_sends_a_signed_out_visitor_to_sign_in(client, org):
    response = client.get(reverse("completion:assign", args=[org["bureau"].pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_it_is_a_404_for_an_employee(client, org):
    client.force_login(make_person(org["bureau"]))
    assert client.get(reverse("completion:assign", args=[org["bureau"].pk])).status_code == 404


def test_it_is_a_404_for_a_sibling_unit(client, org):
    client.force_login(org["admin"])
    assert client.get(reverse("completion:assign", args=[org["sibling"].pk])).status_code == 404


def test_it_shows_the_form(client, org):
    client.force_login(org["admin"])
    response = client.get(reverse("completion:assign", args=[org["bureau"].pk]))
    assert response.status_code == 200
    assert "Module papers" in response.content.decode()


def test_it_assigns_to_a_unit_and_confirms(client, org):
    response = post(client, org, target="unit", unit=org["bureau"].pk)
    assignment = Assignment.objects.get()
    assert (assignment.unit, assignment.assigned_by) == (org["bureau"], org["admin"])
    assert "Assigned Module papers to 甲局" in response.content.decode()


def test_assigning_again_changes_the_due_date_and_records_it(client, org):
    post(client, org, target="unit", unit=org["bureau"].pk)
    response = post(client, org, target="unit", unit=org["bureau"].pk, due_date=due(30))
    assignment = Assignment.objects.get()
    assert assignment.due_date.isoformat() == due(30)
    change = DueDateChange.objects.get()
    assert (change.old_due_date.isoformat(), change.new_due_date.isoformat()) == (due(), due(30))
    assert change.changed_by == org["admin"]
    assert "already existed" in response.content.decode()


def test_assigning_again_with_the_same_date_records_nothing(client, org):
    post(client, org, target="unit", unit=org["bureau"].pk)
    post(client, org, target="unit", unit=org["bureau"].pk)
    assert Assignment.objects.count() == 1
    assert not DueDateChange.objects.exists()


def test_it_assigns_to_chosen_people(client, org):
    one, two = make_person(org["bureau"]), make_person(make_unit(org["bureau"], "处"))
    numbers = f"{one.employee.employee_number}, {two.employee.employee_number}"
    post(client, org, target="people", people=numbers)
    assert set(Assignment.objects.values_list("user", flat=True)) == {one.pk, two.pk}


def test_it_refuses_people_outside_the_admins_unit(client, org):
    outsider = make_person(org["sibling"])
    response = post(client, org, target="people", people=outsider.employee.employee_number)
    assert response.status_code == 400  # the form, with its errors, refused
    assert "No one in this unit has the employee number" in response.content.decode()
    assert not Assignment.objects.exists()


def test_it_refuses_a_unit_outside_the_admins_unit(client, org):
    post(client, org, target="unit", unit=org["sibling"].pk)
    assert not Assignment.objects.exists()


def test_it_refuses_a_due_date_in_the_past(client, org):
    response = post(client, org, target="unit", unit=org["bureau"].pk, due_date=due(-1))
    assert "The due date is in the past." in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_first_step_says_whom_it_affects_and_saves_nothing(client, org):
    for _ in range(3):
        make_person(make_unit(org["bureau"], "处"))
    make_person(org["sibling"])  # outside the unit: not counted
    in_unit = Employee.objects.filter(unit__path__startswith=org["bureau"].path).count()
    response = preview(client, org, target="unit", unit=org["bureau"].pk)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Before you assign" in page and f"{in_unit} people" in page
    assert "0 of them would already be overdue" in page
    assert not Assignment.objects.exists() and not Assignment.history.exists()


def test_the_preview_counts_people_already_overdue_on_an_earlier_assignment(client, org):
    unit = make_unit(org["bureau"], "处")
    late = make_person(unit)
    make_person(unit)
    Assignment.objects.assign(
        module=org["module"], user=late, due_date=timezone.localdate(), by=org["admin"]
    )
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        response = preview(client, org, target="unit", unit=unit.pk, due_date=due(14))
    assert "2 people" in response.content.decode()
    assert "1 of them would already be overdue" in response.content.decode()
    assert Assignment.objects.count() == 1


def test_choices_changed_after_the_preview_are_checked_again(client, org):
    make_person(org["bureau"])
    response = preview(client, org, target="unit", unit=org["bureau"].pk)
    data = {
        "modules": [org["module"].pk],
        "target": "unit",
        "unit": org["bureau"].pk,
        "due_date": due(40),  # not the date the preview showed
        "previewed": response.context["form"]["previewed"].value(),
    }
    again = client.post(reverse("completion:assign", args=[org["bureau"].pk]), data)
    assert again.status_code == 200 and "Before you assign" in again.content.decode()
    assert not Assignment.objects.exists()


def test_a_relative_due_date_is_saved_as_days(client, org):
    response = post(
        client,
        org,
        target="unit",
        unit=org["bureau"].pk,
        due="relative",
        due_date="",
        days_allowed=45,
        renewal_days=20,
    )
    assignment = Assignment.objects.get()
    assert (assignment.due_date, assignment.days_allowed, assignment.renewal_days) == (None, 45, 20)
    assert "within 45 days of being assigned or of joining the unit" in response.content.decode()


def test_a_fixed_due_date_needs_its_date(client, org):
    response = preview(client, org, target="unit", unit=org["bureau"].pk, due_date="")
    assert response.status_code == 400 and "Enter the due date." in response.content.decode()
