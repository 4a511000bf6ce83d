"""Publishing a module in the admin checks the whole module: its case
published (or published with it), its bank, and every learner-facing text in
both languages. Refused, it says which object, field and language, and
nothing changes. Also: slugs from Chinese titles, the Markdown preview."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases.models import Case, Event, Status
from lessons.models import Module
from tests.factories import make_module, write_in_chinese
from tests.test_lessons_admin import module_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, user_factory):
    client.force_login(user_factory("root", is_staff=True, is_superuser=True))
    return client


def draft_module(slug="ready", **kwargs):
    module = write_in_chinese(make_module(slug, questions=4, draw=4, status=Status.DRAFT, **kwargs))
    module.refresh_from_db()
    return module


def change(admin_client, module, **changes):
    data = module_data(module, status=Status.PUBLISHED)
    data |= {"title_zh_hans": module.title_zh_hans, "intro_zh_hans": module.intro_zh_hans}
    data |= {"acknowledgement_zh_hans": module.acknowledgement_zh_hans}
    data |= changes
    return admin_client.post(reverse("admin:lessons_module_change", args=[module.pk]), data)


def test_a_complete_module_is_published_from_its_page(admin_client):
    module = draft_module()
    response = change(admin_client, module)
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.status == Status.PUBLISHED


def test_a_missing_chinese_text_is_named_and_the_module_stays_a_draft(admin_client):
    module = draft_module()
    event = module.case.events.get(order=2)
    Event.objects.filter(pk=event.pk).update(title_zh_hans="")
    response = change(admin_client, module)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Timeline event “Demoted”: “title” is missing in Simplified Chinese." in page
    module.refresh_from_db()
    assert module.status == Status.DRAFT


def test_the_module_own_text_is_checked_as_it_is_about_to_be_saved(admin_client):
    module = draft_module()
    response = change(admin_client, module, acknowledgement_zh_hans="")
    assert "“acknowledgement” is missing in Simplified Chinese." in response.content.decode()
    module.refresh_from_db()
    assert module.status == Status.DRAFT


def test_the_message_reads_in_chinese_for_a_chinese_trainer(admin_client):
    module = draft_module()
    Event.objects.filter(case=module.case, order=2).update(title_zh_hans="")
    with translation.override("zh-hans"):
        problems = module.readiness_problems()
    assert problems == ["时间线事件“Demoted”：缺少简体中文的“标题”。"]


def test_a_module_whose_case_is_a_draft_is_refused_unless_both_are_published(admin_client):
    module = draft_module()
    Case.objects.filter(pk=module.case_id).unpublish()
    response = change(admin_client, module)
    assert "is a draft: publish the case first" in response.content.decode()
    module.refresh_from_db()
    assert module.status == Status.DRAFT
    # Both at once: the module's page publishes its case with it.
    response = change(admin_client, module, publish_case="on")
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.status == module.case.status == Status.PUBLISHED


def test_the_list_action_refuses_incomplete_modules_and_names_what_is_missing(admin_client):
    ready = draft_module("ready")
    english_only = make_module("english", questions=4, draw=4, status=Status.DRAFT)
    response = admin_client.post(
        reverse("admin:lessons_module_changelist"),
        {"action": "publish", "_selected_action": [ready.pk, english_only.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Module english: Module “Module english”: “title” is missing in Simplified" in page
    assert "Case “Case english”: “one-line hook” is missing in Simplified Chinese." in page
    # A long list is cut short, saying how much more there is.
    assert page.count('class="error"') == 11
    missing = len(english_only.readiness_problems())
    assert missing > 20
    assert f"… and {missing - 10} more texts missing." in page
    assert "1 module(s) published." in page
    assert Module.objects.get(pk=ready.pk).status == Status.PUBLISHED
    assert Module.objects.get(pk=english_only.pk).status == Status.DRAFT


def test_the_list_action_publishes_a_module_with_its_case_when_asked(admin_client):
    module = draft_module()
    Case.objects.filter(pk=module.case_id).unpublish()
    url = reverse("admin:lessons_module_changelist")
    admin_client.post(url, {"action": "publish", "_selected_action": [module.pk]})
    assert Module.objects.get(pk=module.pk).status == Status.DRAFT
    admin_client.post(url, {"action": "publish_with_case", "_selected_action": [module.pk]})
    module.refresh_from_db()
    assert module.status == module.case.status == Status.PUBLISHED


def test_every_published_module_of_the_demo_is_complete_in_both_languages(demo):
    modules = list(Module.objects.published())
    assert len(modules) == 3
    for module in modules:
        assert module.readiness_problems() == [], module


def test_a_slug_is_made_in_pinyin_from_a_chinese_title(admin_client, demo):
    case = Case.objects.get(pk=1)
    data = {
        "slug": "",
        "title_en": "保密纪律",
        "title_zh_hans": "保密纪律",
        "hook_en": "A hook",
        "summary_en": "A summary",
        "lesson_en": "A lesson",
        "disclosure": case.disclosure_id,
        "status": Status.DRAFT,
        "order": 9,
    }
    for prefix in ("people", "events", "red_flags", "outcomes"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    response = admin_client.post(reverse("admin:cases_case_add"), data)
    assert response.status_code == 302
    assert Case.objects.filter(slug="bao-mi-ji-lv").exists()
    # The same title again gets a slug of its own.
    admin_client.post(reverse("admin:cases_case_add"), data | {"order": 10})
    assert Case.objects.filter(slug="bao-mi-ji-lv-2").exists()


def test_the_slug_field_says_in_plain_words_what_it_is(admin_client, demo):
    page = admin_client.get(reverse("admin:cases_case_add")).content.decode()
    assert "Leave it empty and it is made from the title (a Chinese title in pinyin)." in page


def test_the_markdown_preview_renders_as_a_learner_sees_it(admin_client):
    url = reverse("admin:markdown_preview")
    response = admin_client.post(url, {"text": "**Bold** <script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<strong>Bold</strong>" in response.content.decode()
    assert "<script" not in response.content.decode()
    assert admin_client.get(url).status_code == 405
    assert admin_client.post(url, {"text": "x" * 50_001}).status_code == 400


def test_the_markdown_preview_is_for_staff_only(client, user_factory):
    client.force_login(user_factory("learner"))
    response = client.post(reverse("admin:markdown_preview"), {"text": "x"})
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_case_and_module_pages_offer_a_preview_as_a_learner(admin_client):
    module = make_module()
    page = admin_client.get(reverse("admin:cases_case_change", args=[module.case_id]))
    assert f'href="{module.case.get_absolute_url()}" class="viewsitelink preview-learner"' in (
        page.content.decode()
    )
    page = admin_client.get(reverse("admin:lessons_module_change", args=[module.pk]))
    html = page.content.decode()
    assert f'href="{module.get_absolute_url()}" class="viewsitelink preview-learner"' in html
    assert reverse("lessons:preview", args=[module.slug]) in html


def test_a_new_question_opens_with_four_choice_rows_and_a_saved_one_with_none_extra(
    admin_client,
):
    module = make_module()
    page = admin_client.get(reverse("admin:lessons_question_add"))
    assert page.context["inline_admin_formsets"][0].formset.total_form_count() == 4
    question = module.questions.first()
    page = admin_client.get(reverse("admin:lessons_question_change", args=[question.pk]))
    formset = page.context["inline_admin_formsets"][0].formset
    assert formset.total_form_count() == question.choices.count()
