"""The rich_text filter: Markdown in, only a small safe subset of HTML out."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from cases.templatetags.rich_text import render_rich_text


def test_it_renders_markdown_to_the_allowed_tags():
    html = render_rich_text("**bold** and *em*\n\n- one\n- two\n\n> quote\n\n### Head\n\n`code`")
    for tag in [
        "<strong>bold</strong>",
        "<em>em</em>",
        "<li>one</li>",
        "<blockquote>",
        "<h3>Head</h3>",
        "<code>code</code>",
    ]:
        assert tag in html


@pytest.mark.parametrize(
    ("hostile", "forbidden"),
    [
        ("<script>alert('x')</script>", "alert"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">click</a>', "alert"),
        ('<a href="data:text/html,hi">click</a>', "data:"),
        ('<p style="color:red" onclick="x()">hi</p>', "onclick"),
        ("<iframe src='https://example.com'></iframe>", "iframe"),
        ("<style>body{}</style>", "body{"),
    ],
)
def test_it_strips_hostile_markup(hostile, forbidden):
    assert forbidden not in render_rich_text(f"Before {hostile} after").lower()


def test_it_keeps_http_https_and_mailto_links_only():
    html = render_rich_text("[a](https://example.com) [b](mailto:x@example.com) [c](/relative)")
    assert 'href="https://example.com"' in html
    assert 'href="mailto:x@example.com"' in html
    assert 'href="/relative"' not in html


def test_it_renders_nothing_for_empty_text():
    assert render_rich_text("") == ""


HOSTILE = (
    "<script>alert('xss-script')</script> <img src=x onerror=\"alert('xss-onerror')\"> "
    "[xss-link](javascript:alert('xss-link')) **kept-bold**"
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model_name", "pk", "field"),
    [
        ("Case", 1, "summary"),
        ("Case", 1, "lesson"),
        ("Person", 11, "description"),
        ("Event", 101, "body"),
        ("RedFlag", 101, "explanation"),
        ("RedFlag", 101, "correct_behaviour"),
        ("Outcome", 11, "description"),
        ("LegalProvision", 2, "summary"),  # Criminal Law Art. 111, the basis of outcome 11
    ],
)
def test_it_never_lets_hostile_markup_in_a_rich_text_field_reach_the_page(
    demo, client, model_name, pk, field
):
    apps.get_model("cases", model_name).objects.filter(pk=pk).update(**{field: HOSTILE})
    client.force_login(get_user_model().objects.get(username="employee"))
    html = client.get("/cases/classified-papers-taken-home/").content.decode()
    assert "<strong>kept-bold</strong>" in html  # the field was rendered…
    assert "xss-script" not in html  # …without the script,
    assert "onerror" not in html  # the event handler
    assert "javascript:" not in html  # or the javascript: link


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model_name", "pk", "field"),
    [
        ("Case", 1, "title"),
        ("Event", 101, "title"),
        ("RedFlag", 101, "sign"),
        ("RedFlag", 101, "rule"),
        ("Person", 11, "fate"),
    ],
)
def test_it_escapes_markup_in_plain_fields(demo, client, model_name, pk, field):
    apps.get_model("cases", model_name).objects.filter(pk=pk).update(**{field: "<b>plain</b>"})
    client.force_login(get_user_model().objects.get(username="employee"))
    html = client.get("/cases/classified-papers-taken-home/").content.decode()
    assert "&lt;b&gt;plain&lt;/b&gt;" in html
    assert "<b>plain</b>" not in html


@pytest.mark.django_db
def test_a_trainers_edit_shows_at_once_though_rendered_text_is_kept(demo, client):
    # The filter keeps what it rendered, keyed by the text: an edited field
    # is new text, so the page shows the edit, and going back shows the old.
    event = apps.get_model("cases", "Event").objects.get(pk=101)
    client.force_login(get_user_model().objects.get(username="employee"))
    url = "/cases/classified-papers-taken-home/"
    for body in ["First **version-one**", "Then **version-two**", event.body]:
        apps.get_model("cases", "Event").objects.filter(pk=101).update(body=body)
        html = client.get(url).content.decode()
        assert ("<strong>version-one</strong>" in html) == (body.startswith("First"))
        assert ("<strong>version-two</strong>" in html) == (body.startswith("Then"))
