import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_it_creates_the_demo_accounts_with_their_roles(demo):
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    trainer = User.objects.get(username="trainer")
    assert trainer.is_staff and not trainer.is_superuser
    assert trainer.groups.filter(name="Trainers").exists()
    assert trainer.has_perm("cases.change_case")
    assert not trainer.has_perm("auth.change_user")
    assert not trainer.has_perm("completion.change_unit")
    assert User.objects.get(username="employee").check_password("awareness-demo")


def test_running_it_twice_changes_nothing(demo):
    from django.apps import apps

    def counts():
        return {m._meta.label: m._default_manager.count() for m in apps.get_models()}

    before = counts()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before
