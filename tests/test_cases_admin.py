"""The trainers' case editor in the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.forms.models import model_to_dict
from django.urls import reverse

from cases.models import Case, Event, Outcome, Person, RedFlag, Status

pytestmark = pytest.mark.django_db

CHANGE_URL = reverse("admin:cases_case_change", args=[1])
INLINES = {"people": Person, "events": Event, "red_flags": RedFlag, "outcomes": Outcome}


@pytest.fixture
def trainer(demo, client):
    user = get_user_model().objects.get(username="trainer")
    client.force_login(user)
    return user


def form_value(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return [item.pk if hasattr(item, "pk") else item for item in value]
    return value


def change_form_data(case: Case) -> dict:
    """What the change page posts back unchanged: the case and every inline."""
    data = {
        key: form_value(value)
        for key, value in model_to_dict(case, exclude=["id", "updated_at"]).items()
    }
    for prefix, model in INLINES.items():
        objects = list(model.objects.filter(case=case))
        data |= {
            f"{prefix}-TOTAL_FORMS": len(objects),
            f"{prefix}-INITIAL_FORMS": len(objects),
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
        for index, obj in enumerate(objects):
            for key, value in model_to_dict(obj).items():
                data[f"{prefix}-{index}-{key}"] = form_value(value)
    return data


def test_it_opens_the_case_change_page_with_every_inline_for_a_trainer(trainer, client):
    response = client.get(CHANGE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    for prefix in INLINES:
        assert f'name="{prefix}-TOTAL_FORMS"' in html
    assert "Confidentiality awareness fading as his career went well" in html


def test_it_lets_a_trainer_preview_a_draft_through_view_on_site(trainer, client):
    Case.objects.filter(pk=1).unpublish()
    view_on_site = reverse(
        "admin:view_on_site", args=[ContentType.objects.get_for_model(Case).pk, 1]
    )
    assert view_on_site in client.get(CHANGE_URL).content.decode()
    response = client.get(view_on_site, follow=True)
    assert response.redirect_chain[-1][0].endswith("/cases/classified-papers-taken-home/")
    assert response.status_code == 200
    assert "Draft: only trainers can see this case." in response.content.decode()


def test_it_saves_the_case_and_its_inlines(trainer, client):
    case = Case.objects.get(pk=1)
    data = change_form_data(case)
    data["title_en"] = "Classified papers taken home (edited)"
    # Reorder: the first event moves to the end of the timeline.
    data["events-0-order"] = 99
    data["red_flags-0-sign_en"] = "Confidentiality as a formality"
    response = client.post(CHANGE_URL, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    case.refresh_from_db()
    assert case.title == "Classified papers taken home (edited)"
    assert list(case.events.all())[-1].pk == 101
    assert RedFlag.objects.get(pk=101).sign == "Confidentiality as a formality"
    assert case.people.count() == 2 and case.outcomes.count() == 3


def test_it_offers_only_this_cases_events_for_a_red_flag(trainer, client):
    response = client.get(CHANGE_URL)
    choices = response.context["inline_admin_formsets"][2].formset.forms[0].fields["event"].queryset
    assert set(choices.values_list("case", flat=True)) == {1}


def test_it_publishes_and_unpublishes_from_the_list(trainer, client):
    url = reverse("admin:cases_case_changelist")
    client.post(url, {"action": "unpublish", "_selected_action": [1, 2]})
    assert set(Case.objects.filter(status=Status.DRAFT).values_list("pk", flat=True)) == {1, 2}
    client.post(url, {"action": "publish", "_selected_action": [1]})
    assert Case.objects.get(pk=1).status == Status.PUBLISHED


def test_it_keeps_trainers_out_of_user_accounts(trainer, client):
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_it_keeps_employees_out_of_the_admin(demo, client):
    client.force_login(get_user_model().objects.get(username="employee"))
    response = client.get(CHANGE_URL)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
