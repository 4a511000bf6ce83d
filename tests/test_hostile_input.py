"""No 5xx from hostile input: malformed requests of every kind — Unicode
digits, NUL bytes, invalid UTF-8, overlong values, huge or negative ids and
pages, unknown sorts and filters, other questions' choice ids, answers after
submit — answer 4xx and change nothing in the database.

Runs on SQLite and on PostgreSQL (`.ci/run`), where a NUL byte or an id out of
bigint's range reaches the database as an error unless it is stopped first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from completion.models import Assignment, Certificate, Completion
from completion.services import submit_attempt
from lessons.models import Attempt, AttemptChoice, DecisionOption
from tests.factories import answer_all, make_admin, make_module, make_person, make_unit

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
NUL = "\x00"
# Rows written by design on any request (sessions, the lookup throttle).
CHURN = {"sessions.session", "completion.publiclookup"}


@dataclass
class World:
    ids: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    world = World()
    module = make_module("papers", questions=6, draw=4, limit=3)
    make_module("draft-one", status="draft")
    province = make_unit(None, "省", code="P")
    bureau, sibling = make_unit(province, "甲局", code="B1"), make_unit(province, "乙局", code="B2")
    Assignment.objects.assign(
        module=module, unit=province, due_date=timezone.localdate() + timedelta(days=9), by=None
    )
    learner, other = make_person(bureau, "王小明"), make_person(sibling, "钱芳")
    admin = make_admin(bureau)
    submitted = Attempt.objects.start(user=learner, module=module)
    answer_all(submitted, right=4)
    submit_attempt(attempt=submitted)
    completion = Completion.objects.get(user=learner)
    certificate = Certificate.objects.acknowledge(completion=completion, text="I will.")
    theirs = Attempt.objects.start(user=other, module=module)
    open_attempt = Attempt.objects.start(user=make_person(bureau, "赵六"), module=module)
    point, second = module.decision_points.order_by("order")
    world.users = {
        "learner": learner,
        "admin": admin,
        "open": open_attempt.user,
        "anonymous": None,
    }
    world.ids = {
        "module": module.slug,
        "submitted": submitted.pk,
        "theirs": theirs.pk,
        "open": open_attempt.pk,
        "point": point.pk,
        "other_option": second.pk,
        "bureau": bureau.pk,
        "sibling": sibling.pk,
        "serial": certificate.serial,
        "token": certificate.token,
        "their_choice": AttemptChoice.objects.filter(attempt_question__attempt=theirs).first().pk,
        "option_elsewhere": DecisionOption.objects.exclude(decision_point=point).first().pk,
    }
    return world


def snapshot() -> dict:
    """Counts of every table but those written by design, and the values a
    hostile request might try to change."""
    state = {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in CHURN
    }
    state["selected"] = sorted(
        AttemptChoice.objects.filter(selected=True).values_list("pk", flat=True)
    )
    state["due"] = sorted(Assignment.objects.values_list("pk", "due_date"))
    state["names"] = sorted(
        apps.get_model("completion", "Employee").objects.values_list("pk", "full_name", "unit_id")
    )
    state["attempts"] = sorted(Attempt.objects.values_list("pk", "status", "score"))
    return state


def csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", text.encode("utf-8", "surrogatepass"))


HEADER = "full_name,employee_number,unit_code,email\n"

# (persona, method, path, data): `{name}` in the path is one of the world's ids.
REQUESTS = [
    # The public check page, signed out.
    ("anonymous", "get", "/verify/abc%00def/", None),
    ("anonymous", "get", f"/verify/{'a' * 65}/", None),
    ("anonymous", "get", "/verify/%C2%B2%C2%B2/", None),
    ("anonymous", "get", "/verify/not-a-token/", None),
    ("anonymous", "post", "/verify/", {"serial": f"AW{NUL}1", "name": "王"}),
    ("anonymous", "post", "/verify/", {"serial": "AW-2026-000001", "name": "王" * 300}),
    ("anonymous", "post", "/verify/", {"serial": "", "name": ""}),
    ("anonymous", "post", "/verify/", {"serial": "AW-2026-000001", "name": f"王{NUL}"}),
    # A learner's own pages, with ids and values that fit nothing.
    ("learner", "get", "/certificates/AW%00.pdf", None),
    ("learner", "get", f"/certificates/{'A' * 31}.pdf", None),
    ("learner", "get", "/cases/?theme=%00", None),
    ("learner", "get", f"/cases/?theme={'x' * 200}", None),
    ("learner", "get", "/cases/no-such-case/", None),
    ("learner", "get", "/modules/draft-one/", None),
    ("learner", "get", "/modules/draft-one/story/", None),
    ("learner", "get", "/modules/papers/preview/", None),
    ("learner", "post", "/modules/{module}/story/", {"decision": "²", "option": "1"}),
    ("learner", "post", "/modules/{module}/story/", {"decision": HUGE, "option": "1"}),
    ("learner", "post", "/modules/{module}/story/", {"decision": "-1", "option": "1"}),
    ("learner", "post", "/modules/{module}/story/", {"decision": f"1{NUL}", "option": "1"}),
    ("learner", "post", "/modules/{module}/story/", {"decision": "{point}", "option": "abc"}),
    ("learner", "post", "/modules/{module}/story/", {"decision": "{point}", "option": HUGE}),
    ("learner", "post", "/modules/{module}/story/", {"decision": "{point}", "option": "²"}),
    (
        "learner",
        "post",
        "/modules/{module}/story/",
        {"decision": "{point}", "option": "{option_elsewhere}"},
    ),
    ("learner", "post", "/modules/no-such/quiz/", None),
    ("learner", "get", f"/attempts/{HUGE}/q/1/", None),
    ("learner", "get", "/attempts/{theirs}/q/1/", None),
    ("learner", "get", f"/attempts/{{submitted}}/q/{HUGE}/", None),
    ("learner", "get", "/attempts/-1/review/", None),
    ("learner", "get", "/attempts/{theirs}/result/", None),
    ("learner", "post", "/attempts/{theirs}/submit/", None),
    ("learner", "post", f"/attempts/{HUGE}/submit/", None),
    ("learner", "get", "/modules/{module}/acknowledge/x/", None),
    ("open", "post", "/attempts/{open}/q/1/", {"choice": "{their_choice}"}),
    ("open", "post", "/attempts/{open}/q/1/", {"choice": "abc"}),
    ("open", "post", "/attempts/{open}/q/1/", {"choice": f"1{NUL}"}),
    ("open", "post", "/attempts/{open}/q/1/", {"choice": HUGE}),
    ("open", "post", "/attempts/{open}/q/1/", {"choice": "²"}),
    ("open", "post", "/attempts/{open}/q/1/", {}),
    ("learner", "get", "/report/", None),
    # A unit admin's pages.
    ("admin", "get", "/report/{sibling}/", None),
    ("admin", "get", f"/report/{HUGE}/", None),
    ("admin", "get", "/report/{bureau}/?page=-1", None),
    ("admin", "get", "/report/{bureau}/?page=abc", None),
    ("admin", "get", f"/report/{{bureau}}/?page={HUGE}", None),
    ("admin", "get", "/report/{bureau}/?page=99", None),
    ("admin", "get", "/report/{bureau}/?sort=evil", None),
    ("admin", "get", "/report/{bureau}/?status=evil", None),
    ("admin", "get", "/report/{bureau}/?unit={sibling}", None),
    ("admin", "get", "/report/{bureau}/?unit=%C2%B2", None),
    ("admin", "get", "/report/{bureau}/?module=%00", None),
    ("admin", "get", "/report/{bureau}/?name=%00", None),
    ("admin", "get", f"/report/{{bureau}}/?name={'x' * 500}", None),
    ("admin", "get", "/report/{bureau}/export.csv?sort=evil", None),
    ("admin", "get", "/report/{bureau}/export.xlsx?status=evil", None),
    ("admin", "get", "/report/{sibling}/export.csv", None),
    ("admin", "get", f"/report/exports/{HUGE}/", None),
    ("admin", "get", "/report/exports/1/download/", None),
    ("admin", "post", "/report/{sibling}/inspection/", None),
    ("admin", "post", "/report/{bureau}/assign/", {"modules": HUGE, "due_date": "2099-01-01"}),
    ("admin", "post", "/report/{bureau}/assign/", {"modules": "²", "due_date": "2099-01-01"}),
    (
        "admin",
        "post",
        "/report/{bureau}/assign/",
        {"modules": "1", "target": "unit", "unit": "{sibling}", "due_date": "2099-01-01"},
    ),
    (
        "admin",
        "post",
        "/report/{bureau}/assign/",
        {"modules": "1", "target": "unit", "unit": "{bureau}", "due_date": "2099-13-45"},
    ),
    (
        "admin",
        "post",
        "/report/{bureau}/assign/",
        {"modules": "1", "target": "unit", "unit": "{bureau}", "due_date": "2000-01-01"},
    ),
    (
        "admin",
        "post",
        "/report/{bureau}/assign/",
        {"modules": "1", "target": "people", "people": f"E{NUL}1", "due_date": "2099-01-01"},
    ),
    ("admin", "post", "/report/{bureau}/import/", {"file": "not a file"}),
    ("admin", "post", "/report/{bureau}/import/", "NUL-CSV"),
    ("admin", "post", "/report/{bureau}/import/", "BAD-UTF8"),
    ("admin", "post", "/report/{bureau}/import/", "OVERLONG-CSV"),
    ("admin", "post", "/certificates/print/", {"unit": "{sibling}"}),
    ("admin", "post", "/certificates/print/", {"unit": HUGE}),
    (
        "admin",
        "post",
        "/certificates/print/",
        {"unit": "{bureau}", "passed_from": "2026-06-30", "passed_to": "2026-06-01"},
    ),
    ("admin", "post", "/certificates/print/", {"unit": "{bureau}", "module": HUGE}),
    ("admin", "get", f"/certificates/print/{HUGE}/", None),
    ("admin", "get", "/certificates/print/1/download/", None),
]

UPLOADS = {
    "NUL-CSV": lambda: HEADER + "王\x00明,E9,B1,a@example.gov.cn\n",
    "BAD-UTF8": None,
    "OVERLONG-CSV": lambda: HEADER + f"{'王' * 300},E9,B1,a@example.gov.cn\n",
}


def fill(value, ids: dict):
    if isinstance(value, str):
        for name, id_ in ids.items():
            value = value.replace("{" + name + "}", str(id_))
    return value


@pytest.mark.parametrize(("persona", "method", "path", "data"), REQUESTS)
def test_hostile_input_gets_a_4xx_and_changes_nothing(client, world, persona, method, path, data):
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    path = fill(path, world.ids)
    if isinstance(data, dict):
        data = {key: fill(value, world.ids) for key, value in data.items()}
    elif data == "BAD-UTF8":
        data = {
            "file": SimpleUploadedFile("people.csv", HEADER.encode() + b"\xff\xfe\xfa,1,B1,x\n")
        }
    elif isinstance(data, str):
        data = {"file": csv(UPLOADS[data]())}
    before = snapshot()
    response = (
        getattr(client, method)(path, data) if data is not None else getattr(client, method)(path)
    )
    assert 400 <= response.status_code < 500, (response.status_code, path)
    assert snapshot() == before


def test_there_are_at_least_fifty(db):
    assert len(REQUESTS) >= 50


def test_an_answer_after_submit_changes_nothing(client, world):
    client.force_login(world.users["learner"])
    before = snapshot()
    attempt = Attempt.objects.get(pk=world.ids["submitted"])
    choice = attempt.questions.get(position=1).choices.first()
    response = client.post(f"/attempts/{attempt.pk}/q/1/", {"choice": choice.pk})
    # Told, and sent to the result: the attempt stands as it was submitted.
    assert response.status_code in (302, 409)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("9" * 19, None),
        ("0", None),
        ("-3", None),
        ("+5", None),
        ("²", None),
        ("١٢", None),  # Arabic-Indic digits, which int() would take
        ("1e3", None),
        ("", None),
        (None, None),
    ],
)
def test_an_id_is_ascii_digits_within_a_bigint(value, expected):
    from awareness.converters import as_id

    assert as_id(value) == expected
