"""Invitations to set a password for people imported without a directory,
delivered to a real SMTP server on loopback: the email in the person's
language, the link followed to a password and a sign-in, once per import,
sent again by a unit admin at most once an hour, and failures said."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from completion.models import Assignment, Employee, Invitation, local_today
from tests.factories import make_admin, make_people, make_person
from tests.mail_helpers import Inbox, free_port, parts, serve, subject

pytestmark = pytest.mark.django_db

HEADER = "full_name,employee_number,unit_code,email\n"
GOOD = HEADER + "王小红,E100,B1,wxh@example.org\nLi Lei,E101,B1-S,lilei@example.org\n"
NEW_PASSWORD = "Blue-kettle-97-river"


@pytest.fixture
def smtp_server(settings) -> Iterator[Inbox]:
    yield from serve(settings)


@pytest.fixture
def org(org, immediate_tasks):
    org["admin"] = make_admin(org["bureau"])
    return org


def upload(client, org, text: str):
    client.force_login(org["admin"])
    data = SimpleUploadedFile("people.csv", text.encode("utf-8"), content_type="text/csv")
    url = reverse("completion:import_employees", args=[org["bureau"].pk])
    return client.post(url, {"file": data}, follow=True)


def link_in(message) -> str:
    return re.search(r"https://training\.example\.org(/\S+/)", parts(message)["text/plain"])[1]


def send_again(client, org, employee, query=""):
    url = reverse("completion:send_invitation", args=[org["bureau"].pk, employee.pk])
    return client.post(url, {"query": query}, follow=True)


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, follow=True)


def test_an_imported_person_gets_a_link_that_sets_a_password_to_sign_in_with(
    client, org, smtp_server
):
    response = upload(client, org, GOOD)
    assert "Invitations to set a password are being sent to 2 new people." in (
        response.content.decode()
    )
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "lilei@example.org",
        "wxh@example.org",
    ]
    message = smtp_server.to("lilei@example.org")[0]
    assert message["From"] == "awareness@example.org"
    assert message["Content-Language"] == "en"
    assert subject(message) == "Your training account: set your password"
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    assert "Dear Li Lei," in body["text/plain"]
    assert "Your username: E101" in body["text/plain"]
    assert "for 14 days" in body["text/plain"]
    path = link_in(message)
    assert f'href="https://training.example.org{path}"' in body["text/html"]
    assert Invitation.objects.get(user__username="E101").outcome == "sent"

    # The person, not signed in, follows the link, sets a password and signs in.
    client.logout()
    form = client.get(path, follow=True)
    assert form.status_code == 200
    page = form.content.decode()
    assert "Set your password" in page and "<strong>E101</strong>" in page
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("login")
    assert "Your password is set. Sign in with your username, E101, and it." in (
        done.content.decode()
    )
    assert not done.wsgi_request.user.is_authenticated
    signed_in = sign_in(client, "E101", NEW_PASSWORD)
    assert signed_in.wsgi_request.user.username == "E101"
    assert signed_in.redirect_chain[-1][0] == "/"

    # The link worked once.
    client.logout()
    again = client.get(path, follow=True).content.decode()
    assert "This link cannot be used" in again
    assert 'name="new_password1"' not in again


def test_a_wrong_token_sets_nothing(client, org, smtp_server):
    upload(client, org, GOOD)
    path = link_in(smtp_server.to("wxh@example.org")[0])
    client.logout()
    forged = re.sub(r"/([^/]+)/$", "/cbcdef-0123456789abcdef0123456789abcdef/", path)
    page = client.get(forged, follow=True).content.decode()
    assert "This link cannot be used" in page
    assert not get_user_model().objects.get(username="E100").has_usable_password()


def test_a_second_import_invites_nobody_again(client, org, smtp_server):
    upload(client, org, GOOD)
    assert len(smtp_server.messages) == 2
    response = upload(client, org, GOOD)
    assert "being sent" not in response.content.decode()
    assert len(smtp_server.messages) == 2
    assert Invitation.objects.count() == 2
    # Someone first imported without an address is invited once one is given.
    upload(client, org, GOOD + "赵六,E102,B1,\n")
    assert len(smtp_server.messages) == 2
    upload(client, org, GOOD + "赵六,E102,B1,zhao@example.org\n")
    assert [m["To"] for m in smtp_server.messages[2:]] == ["zhao@example.org"]
    upload(client, org, GOOD + "赵六,E102,B1,zhao@example.org\n")
    assert len(smtp_server.messages) == 3
    assert Invitation.objects.filter(user__username="E102").count() == 1


def test_the_import_invites_nobody_when_the_directory_signs_people_in(
    client, org, smtp_server, settings
):
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:1"
    upload(client, org, GOOD)
    assert smtp_server.messages == [] and not Invitation.objects.exists()


def test_a_unit_admin_sends_a_link_again_in_the_persons_language_at_most_hourly(
    client, org, smtp_server
):
    upload(client, org, GOOD)
    smtp_server.clear()
    # Within the hour of the import's invitation, none is sent again.
    employee = Employee.objects.get(employee_number="E100")
    assert "less than an hour ago" in send_again(client, org, employee).content.decode()
    assert smtp_server.messages == []
    Invitation.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    Employee.objects.filter(pk=employee.pk).update(language="zh-hans")

    response = send_again(client, org, employee, query="status=not_started&name=王")
    assert response.redirect_chain[-1][0] == (
        reverse("completion:unit_report", args=[org["bureau"].pk])
        + "?status=not_started&name=%E7%8E%8B"
    )
    assert "A link to set a password was sent to 王小红 (wxh@example.org)." in (
        response.content.decode()
    )
    message = smtp_server.to("wxh@example.org")[0]
    assert message["Content-Language"] == "zh-hans"
    assert subject(message) == "您的培训账号：请设置密码"
    assert "王小红，您好：" in parts(message)["text/plain"]
    assert "用户名：E100" in parts(message)["text/plain"]
    record = Invitation.objects.get(reason="again")
    assert (record.sent_by, record.outcome, record.language) == (org["admin"], "sent", "zh-hans")

    # Within the hour: refused, nothing sent.
    refused = send_again(client, org, employee).content.decode()
    assert "王小红 was sent a link less than an hour ago." in refused
    assert len(smtp_server.messages) == 1
    Invitation.objects.filter(reason="again").update(
        created_at=timezone.now() - timedelta(minutes=61)
    )
    send_again(client, org, employee)
    assert len(smtp_server.messages) == 2

    # The link opens the page in the person's language.
    client.logout()
    page = client.get(link_in(smtp_server.messages[-1]), follow=True)
    assert "设置密码" in page.content.decode()
    assert page.cookies["django_language"].value == "zh-hans"


def test_a_person_who_forgot_their_password_is_sent_a_link_to_a_new_one(client, org, smtp_server):
    person = make_person(org["section"], name="Alice Smith", username="alice")
    person.email = "alice@example.org"
    person.save()
    client.force_login(org["admin"])
    send_again(client, org, person.employee)
    message = smtp_server.to("alice@example.org")[0]
    assert subject(message) == "Set a new password for your training account"
    client.logout()
    form = client.get(link_in(message), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert sign_in(client, "alice", NEW_PASSWORD).wsgi_request.user.is_authenticated


def test_no_link_for_directory_people_people_without_an_address_or_outsiders(
    client, org, smtp_server
):
    client.force_login(org["admin"])
    directory_person = make_person(org["bureau"], name="目录人员")
    directory_person.email = "dir@example.org"
    directory_person.save()
    Employee.objects.filter(user=directory_person).update(from_directory=True)
    no_address = make_person(org["bureau"], name="无邮箱")
    outsider = make_person(org["sibling"], name="外人")
    outsider.email = "out@example.org"
    outsider.save()

    page = send_again(client, org, directory_person.employee).content.decode()
    assert "目录人员 signs in with the organisation&#x27;s directory." in page
    page = send_again(client, org, no_address.employee).content.decode()
    assert "无邮箱 has no email address." in page
    url = reverse("completion:send_invitation", args=[org["bureau"].pk, outsider.employee.pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    assert smtp_server.messages == [] and not Invitation.objects.exists()


def test_an_unreachable_mail_server_is_said_not_a_crash(client, org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    response = upload(client, org, GOOD)
    assert response.status_code == 200 and "2 added" in response.content.decode()
    assert set(Invitation.objects.values_list("outcome", flat=True)) == {"failed"}
    assert "unreachable" in Invitation.objects.first().error
    employee = Employee.objects.get(employee_number="E100")
    page = send_again(client, org, employee).content.decode()
    assert "The mail server could not be reached, so no link was sent to 王小红." in page
    # A failed invitation is not an invitation: the report says so.
    _assign(org)
    report = client.get(reverse("completion:unit_report", args=[org["bureau"].pk]))
    assert "Link not delivered" in report.content.decode()


def test_a_refusing_server_is_recorded_with_its_reply(client, org, smtp_server):
    smtp_server.refuse = "550 No such mailbox here"
    upload(client, org, GOOD)
    failed = Invitation.objects.get(user__username="E101")
    assert failed.outcome == "failed" and "No such mailbox" in failed.error
    smtp_server.refuse = ""
    page = send_again(client, org, failed.user.employee).content.decode()
    assert "A link to set a password was sent to Li Lei" in page  # a failure does not count


def _assign(org):
    Assignment.objects.assign(
        module=org["module"], unit=org["bureau"], due_date=local_today(), by=org["admin"]
    )


def test_the_report_says_who_can_sign_in_and_offers_a_link(
    client, org, smtp_server, django_assert_max_num_queries
):
    _assign(org)
    upload(client, org, GOOD)
    make_person(org["bureau"], name="Has Password")
    url = reverse("completion:unit_report", args=[org["bureau"].pk])
    page = client.get(url).content.decode()
    assert "Sign-in" in page

    def row(name):
        start = page.index(name)
        return page[start : page.index("</tr>", start)]

    invited = date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
    assert f"Invited {invited}" in row("王小红") and "Send link" in row("王小红")
    assert "Password set" in row("Has Password")
    assert "Send link" not in row("Has Password")  # no email address
    # The column is read for the page's rows only: more people, no more queries.
    with CaptureQueriesContext(
        client.get.__self__ and __import__("django").db.connection
    ) as before:
        client.get(url)
    make_people(org["bureau"], 30)
    with django_assert_max_num_queries(len(before)):
        client.get(url)


def test_the_sign_in_page_says_who_gives_a_link(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Ask your unit's training administrator to send you a link to set it." in page
