"""The interface in Simplified Chinese, and a translation file with nothing left out."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|%%")


def choose_chinese(client, then: str = "/") -> None:
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": then})
    assert response.status_code == 302
    assert response.url == then


def sign_in(client, username: str) -> None:
    """Through the sign-in form, which gives the lockout the request it needs
    (the test client's login() calls authenticate() without one)."""
    response = client.post(reverse("login"), {"username": username, "password": "awareness-demo"})
    assert response.status_code == 302


def po_entries() -> list[dict]:
    """The entries of the .po file (flags, msgid, msgid_plural, msgstr), header left out."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        entry = {"flags": "", "msgid": None, "msgid_plural": None, "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line
            ):
                key, text = match.group(1), match.group(2)[1:-1]
                if key.startswith("msgstr"):
                    entry["msgstr"].append(text)
                elif key != "msgctxt":
                    entry[key] = text
            elif line.startswith('"') and key:
                text = line[1:-1]
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += text
                elif key != "msgctxt":
                    entry[key] += text
        if entry["msgid"]:
            entries.append(entry)
    return entries


def test_it_lets_a_visitor_choose_chinese_on_the_sign_in_page(client, db):
    choose_chinese(client, then=reverse("login"))
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "<h1>登录</h1>" in html
    assert ">用户名<" in html
    assert ">密码<" in html
    assert "保密与反间谍意识培训。" in html
    assert "发现间谍行为线索，请拨打举报电话 12339。" in html


def test_it_shows_my_training_in_chinese(client, demo):
    sign_in(client, "employee")
    choose_chinese(client)
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "我的培训" in html
    assert "退出登录" in html
    assert "分配给您的培训" in html
    assert "Sign out" not in html
    assert "My training" not in html


def test_it_shows_a_module_in_chinese(client, demo):
    sign_in(client, "employee")
    choose_chinese(client)
    html = client.get(
        reverse("lessons:module", args=["classified-papers-taken-home"])
    ).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "阅读案例经过" in html
    assert "阅读学习要点" in html
    assert "正确率达到" in html
    assert "There is no time limit" not in html


def test_it_keeps_english_for_those_who_do_not_choose_chinese(client, demo):
    sign_in(client, "employee")
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "My training" in html
    assert "我的培训" not in html


def test_it_has_translated_every_string_of_the_interface():
    entries = po_entries()
    assert len(entries) > 400
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    untranslated = [entry["msgid"] for entry in entries if not all(entry["msgstr"])]
    assert fuzzy == []
    assert untranslated == []


def test_it_keeps_every_placeholder_of_the_english_string():
    wrong = []
    for entry in po_entries():
        source = entry["msgid_plural"] or entry["msgid"]
        for translation in entry["msgstr"]:
            if sorted(PLACEHOLDER.findall(translation)) != sorted(PLACEHOLDER.findall(source)):
                wrong.append((entry["msgid"], translation))
    assert wrong == []


@pytest.mark.parametrize(
    "header", ["Language: zh_Hans", "charset=UTF-8", "Plural-Forms: nplurals=1; plural=0;"]
)
def test_it_declares_the_language_and_its_single_plural_form(header):
    assert header in PO_FILE.read_text(encoding="utf-8").split("\n\n")[0]
