"""Least privilege: the Trainers group exists on every installation (made by
a migration, not only by the demo) and carries content permissions only;
being staff grants nothing by itself."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

pytestmark = pytest.mark.django_db

PERSONAL = [
    "lessons_attempt",
    "lessons_decisionresponse",
    "lessons_reopening",
    "completion_employee",
    "completion_completion",
    "completion_certificate",
    "completion_unit",
    "completion_unitadmin",
    "completion_assignment",
    "completion_exportjob",
    "completion_bulkprintjob",
    "auth_user",
]


@pytest.fixture
def trainer(client):
    user = get_user_model().objects.create_user("t", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name="Trainers"))
    client.force_login(user)
    return user


def test_the_group_exists_with_content_permissions_only(db):
    perms = set(
        Group.objects.get(name="Trainers").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert ("cases", "change_case") in perms and ("lessons", "add_question") in perms
    assert ("lessons", "view_module") in perms and ("cases", "change_disclosure") in perms
    assert {app for app, _codename in perms} == {"cases", "lessons"}
    assert not any(
        codename.endswith(("_attempt", "_attemptquestion", "_attemptchoice"))
        or codename.endswith(("_decisionresponse", "_reopening"))
        for _app, codename in perms
    )


@pytest.mark.parametrize("model", PERSONAL)
def test_a_trainer_cannot_open_personal_data_in_the_admin(client, trainer, model):
    response = client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 403


def test_a_trainer_edits_content(client, trainer):
    assert client.get(reverse("admin:cases_case_changelist")).status_code == 200
    assert client.get(reverse("admin:lessons_question_changelist")).status_code == 200


def test_being_staff_grants_nothing_by_itself(client, user_factory):
    client.force_login(user_factory("staff-only", is_staff=True))
    assert client.get(reverse("admin:cases_case_changelist")).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:cases_case_changelist") not in index


@pytest.mark.django_db(transaction=True)
def test_the_group_is_there_again_after_the_database_is_flushed():
    """Browser tests empty the database between tests; the group comes back
    with its permissions, as `migrate` makes it."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    group = Group.objects.get(name="Trainers")
    assert group.permissions.filter(content_type__app_label="cases").exists()
    assert not group.permissions.filter(content_type__app_label="completion").exists()
