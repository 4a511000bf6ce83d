"""Item analysis with known data: facility, discrimination and choice picks
computed by hand and compared with what trainers and unit admins are shown."""

import math
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from completion.models import Assignment
from lessons.models import Attempt, AttemptQuestion, Question
from lessons.statistics import ItemStatistics, choice_picks, statistics_by_question
from tests.factories import make_admin, make_module, make_people, make_unit

pytestmark = pytest.mark.django_db

# Four people's first attempts at a three-question quiz (1 = right):
#            Q1 Q2 Q3   total
# person 1:   1  1  1   3
# person 2:   1  1  0   2
# person 3:   0  1  0   1
# person 4:   0  0  0   0
# and person 4's second attempt: all right (counts for facility only).
FIRST = [(1, 1, 1), (1, 1, 0), (0, 1, 0), (0, 0, 0)]


def pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return cov / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))


# By hand: Q1's scores (1,1,0,0) against the rest (2,1,1,0): r = 1/√2.
# Q2 (1,1,1,0) against (2,1,0,0) and Q3 (1,0,0,0) against (2,2,1,0):
# r = 0.75/√(0.75 × 2.75) = 0.5222 each.
EXPECTED_DISCRIMINATION = [1 / math.sqrt(2), 0.75 / math.sqrt(0.75 * 2.75), 0.5222329679]


def answer(attempt, question, right: bool, *, wrong_pick: int = 0) -> None:
    copy = attempt.questions.get(question=question)
    choices = list(copy.choices.order_by("choice__order"))
    if right:
        ids = [c.pk for c in choices if c.is_correct]
    else:
        ids = [[c for c in choices if not c.is_correct][wrong_pick].pk]
    attempt.answer(position=copy.position, choice_ids=ids)


@pytest.fixture
def data(user_factory):
    # Three single-choice-like kinds: single, multiple, true/false.
    module = make_module("stats", questions=3, draw=3, limit=3, pass_mark=60)
    questions = list(module.questions.order_by("order"))
    province = make_unit(None, "省")
    users = make_people(province, 4)
    Assignment.objects.assign(module=module, unit=province, due_date=timezone.localdate(), by=None)
    for user, scores in zip(users, FIRST, strict=True):
        attempt = Attempt.objects.start(user=user, module=module, rng=random.Random(1))
        for question, right in zip(questions, scores, strict=True):
            answer(attempt, question, bool(right))
        attempt.submit()
    second = Attempt.objects.start(user=users[3], module=module, rng=random.Random(2))
    for question in questions:
        answer(second, question, True)
    second.submit()
    # Someone elsewhere, outside the province, who gets everything wrong.
    outsider = make_people(make_unit(None, "外省"), 1, prefix="out")[0]
    other = Attempt.objects.start(user=outsider, module=module, rng=random.Random(3))
    for question in questions:
        answer(other, question, False)
    other.submit()
    return {"module": module, "questions": questions, "province": province}


def test_the_hand_computation_agrees_with_a_plain_pearson():
    for item, expected in enumerate(EXPECTED_DISCRIMINATION):
        xs = [row[item] for row in FIRST]
        rest = [sum(row) - row[item] for row in FIRST]
        assert pearson(xs, rest) == pytest.approx(expected)


def test_with_statistics_gives_facility_and_discrimination(data):
    stats = {
        q.pk: q.statistics for q in Question.objects.filter(module=data["module"]).with_statistics()
    }
    q1, q2, q3 = (stats[q.pk] for q in data["questions"])
    # Six submitted attempts drew each question (four first, one second, the outsider's).
    assert (q1.drawn, q2.drawn, q3.drawn) == (6, 6, 6)
    # Facility over all of them: Q1 right by persons 1, 2 and person 4's retake.
    assert q1.facility == pytest.approx(3 / 6)
    assert q2.facility == pytest.approx(4 / 6)
    assert q3.facility == pytest.approx(2 / 6)
    # Discrimination on first attempts only (the outsider's is a first attempt
    # too: all wrong, rest 0, which lowers it a little — recomputed here).
    rows = [*FIRST, (0, 0, 0)]
    for item, item_stats in enumerate((q1, q2, q3)):
        xs = [row[item] for row in rows]
        rest = [sum(row) - row[item] for row in rows]
        assert item_stats.discrimination == pytest.approx(pearson(xs, rest))
    assert all(not s.flags for s in (q1, q2, q3))


def test_a_unit_sees_its_own_people_only(data):
    copies = AttemptQuestion.objects.filter(
        attempt__user__employee__unit__path__startswith=data["province"].path
    )
    stats = statistics_by_question(copies)
    for question, expected in zip(data["questions"], EXPECTED_DISCRIMINATION, strict=True):
        assert stats[question.pk].drawn == 5
        assert stats[question.pk].discrimination == pytest.approx(expected)
    assert stats[data["questions"][0].pk].facility == pytest.approx(3 / 5)


def test_choice_picks_count_each_choice(data):
    q1 = data["questions"][0]  # single choice: Right, Wrong 1, Wrong 2
    picks = choice_picks(AttemptQuestion.objects.filter(question=q1))
    right, wrong1, wrong2 = q1.choices.order_by("order")
    # Right by persons 1, 2, person 4's retake; "Wrong 1" by persons 3, 4 and the outsider.
    assert picks[right.pk] == (3, 6)
    assert picks[wrong1.pk] == (3, 6)
    assert picks[wrong2.pk] == (0, 6)


def test_flags_for_an_easy_or_undiscriminating_question():
    easy = ItemStatistics(drawn=40, correct=39)
    assert easy.facility == pytest.approx(0.975) and "too easy" in easy.flags
    # Right by those who did worst on the rest: negative discrimination.
    poor = ItemStatistics.of(
        {
            "stat_drawn": 4,
            "stat_correct": 2,
            "stat_first": 4,
            "stat_x": 2,
            "stat_rest": 4,
            "stat_x_rest": 0,  # the two who got it right scored 0 on the rest
            "stat_rest_squared": 8,  # the others scored 2 each
        }
    )
    assert poor.discrimination == pytest.approx(-1.0)
    assert poor.flags == ["discriminates poorly"]
    assert ItemStatistics(drawn=1, correct=1, first=1, x=1).discrimination is None


def test_the_admin_shows_statistics_and_choice_picks(client, data, trainer_factory):
    client.force_login(trainer_factory())
    q1 = data["questions"][0]
    page = client.get(reverse("admin:lessons_question_changelist")).content.decode()
    row = page[page.index(q1.text) :]
    row = row[: row.index("</tr>")]
    assert '<td class="field-times_drawn">6</td>' in row
    assert '<td class="field-facility">50 %</td>' in row
    rows = [*FIRST, (0, 0, 0)]
    expected = pearson([r[0] for r in rows], [sum(r) - r[0] for r in rows])
    assert f'<td class="field-discrimination">{expected:.2f}</td>' in row
    page = client.get(reverse("admin:lessons_question_change", args=[q1.pk])).content.decode()
    assert "Drawn 6 times in submitted attempts; facility 50 %" in page
    right = q1.choices.get(order=1)
    assert f"<tr><td>{right.text}</td><td>correct</td><td>3</td><td>50 %</td></tr>" in page


def test_the_unit_report_shows_the_units_statistics(client, data):
    province = data["province"]
    client.force_login(make_admin(province))
    url = reverse("completion:unit_report", args=[province.pk]) + "?module=stats"
    response = client.get(url)
    page = response.content.decode()
    assert "Facility" in page and "Discrimination" in page
    items = {item.text: item for item in response.context["misses"]}
    q1 = items[data["questions"][0].text]
    assert (q1.answered, q1.missed) == (5, 2)
    assert q1.statistics.discrimination == pytest.approx(EXPECTED_DISCRIMINATION[0])
    assert f"{EXPECTED_DISCRIMINATION[0]:.2f}" in page
    # Aggregates only: no person's answer on the report. The wrong answer
    # chosen most (issue 15) is a count of picks over the unit's 5 or more.
    assert "<td>Wrong 1 (" not in page
    assert q1.wrong_picks == 2 and f"picked {q1.wrong_picks} times" in page
