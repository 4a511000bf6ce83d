"""The unit tree: materialised paths kept by explicit calls."""

import pytest

from completion.models import Unit, UnitAdmin
from tests.factories import make_person, make_unit

pytestmark = pytest.mark.django_db


def test_it_gives_children_paths_under_their_parent():
    province = Unit.objects.create_child(None, code="P", name="省")
    first = Unit.objects.create_child(province, code="B1", name="一局")
    second = Unit.objects.create_child(province, code="B2", name="二局")
    section = Unit.objects.create_child(first, code="S", name="处")
    assert (province.path, province.depth) == ("0001/", 0)
    assert (first.path, second.path) == ("0001/0001/", "0001/0002/")
    assert (section.path, section.depth) == ("0001/0001/0001/", 2)


def test_subtree_is_the_unit_and_everything_below_it():
    province = make_unit(None, "省")
    bureau = make_unit(province, "局")
    section = make_unit(bureau, "处")
    other = make_unit(province, "另一局")
    assert set(Unit.objects.subtree(bureau)) == {bureau, section}
    assert set(Unit.objects.subtree(province)) == {province, bureau, section, other}


def test_move_to_rewrites_the_whole_subtree():
    province = make_unit(None, "省")
    old_parent, new_parent = make_unit(province, "甲"), make_unit(province, "乙")
    moving = make_unit(old_parent, "处")
    below = make_unit(moving, "科")
    moving.move_to(new_parent)
    below.refresh_from_db()
    assert moving.path.startswith(new_parent.path) and moving.depth == 2
    assert below.path.startswith(moving.path) and below.depth == 3
    assert set(Unit.objects.subtree(new_parent)) == {new_parent, moving, below}
    assert set(Unit.objects.subtree(old_parent)) == {old_parent}


def test_a_unit_cannot_move_below_itself():
    province = make_unit(None, "省")
    child = make_unit(province, "局")
    with pytest.raises(ValueError):
        province.move_to(child)


def test_an_admin_has_rights_over_their_subtree_only():
    province = make_unit(None, "省")
    bureau, sibling = make_unit(province, "甲局"), make_unit(province, "乙局")
    section = make_unit(bureau, "处")
    admin = make_person(bureau)
    UnitAdmin.objects.create(user=admin, unit=bureau)
    assert set(Unit.objects.administered_by(admin)) == {bureau, section}
    assert sibling not in Unit.objects.administered_by(admin)


def test_a_superuser_has_rights_over_every_unit(django_user_model):
    province = make_unit(None, "省")
    other_root = make_unit(None, "另一省")
    boss = django_user_model.objects.create_superuser("boss", password="pw-for-tests-only")
    assert set(Unit.objects.administered_by(boss)) == {province, other_root}


def test_the_admin_creates_a_unit_with_its_path(client, django_user_model):
    province = make_unit(None, "省")
    boss = django_user_model.objects.create_superuser("boss", password="pw-for-tests-only")
    client.force_login(boss)
    response = client.post(
        "/admin/completion/unit/add/", {"code": "NEW", "name": "新局", "parent": province.pk}
    )
    assert response.status_code == 302
    unit = Unit.objects.get(code="NEW")
    assert unit.path.startswith(province.path) and unit.depth == 1


def test_the_admin_moves_a_unit_with_its_subtree(client, django_user_model):
    province = make_unit(None, "省")
    old, new = make_unit(province, "甲"), make_unit(province, "乙")
    moving = make_unit(old, "处", code="MOVE")
    below = make_unit(moving, "科")
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw-x-tests"))
    response = client.post(
        f"/admin/completion/unit/{moving.pk}/change/",
        {"code": "MOVE", "name": "处", "parent": new.pk},
    )
    assert response.status_code == 302
    below.refresh_from_db()
    assert below.path.startswith(new.path) and below.depth == 3
