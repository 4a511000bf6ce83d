"""The case content fixture: loads cleanly, twice, and carries the article's facts."""

import pytest
from django.core.management import call_command

from cases.models import Case, Event, LegalProvision, Outcome, Person, RedFlag, Theme

FIXTURES = [
    "fixtures/01_library.json",
    "fixtures/11_classified_papers_taken_home.json",
    "fixtures/12_world_cup_gambling_debt.json",
    "fixtures/13_honey_trap_abroad.json",
]
MODELS = [Theme, LegalProvision, Case, Person, Event, RedFlag, Outcome]

pytestmark = pytest.mark.django_db


def load() -> None:
    call_command("loaddata", *FIXTURES, verbosity=0)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_it_loads_twice_without_duplicates():
    load()
    first = counts()
    load()
    assert counts() == first
    assert first["Case"] == 3


def test_it_publishes_the_three_cases_with_the_slugs_lessons_link_to():
    load()
    assert list(Case.objects.published().values_list("pk", "slug")) == [
        (1, "classified-papers-taken-home"),
        (2, "world-cup-gambling-debt"),
        (3, "honey-trap-abroad"),
    ]


def test_it_has_at_least_three_red_flags_per_case_each_at_a_step_of_its_own_case():
    load()
    for case in Case.objects.all():
        red_flags = list(case.red_flags.select_related("event"))
        assert len(red_flags) >= 3, case.slug
        for red_flag in red_flags:
            assert red_flag.event is not None and red_flag.event.case_id == case.pk
            assert red_flag.correct_behaviour.strip() and red_flag.rule.strip()


def test_it_gives_every_outcome_a_person_of_the_same_case():
    load()
    for outcome in Outcome.objects.select_related("person"):
        assert outcome.person.case_id == outcome.case_id


def story_text(case: Case) -> str:
    parts = [case.summary, case.lesson, case.hook]
    parts += [f"{p.role} {p.description} {p.fate}" for p in case.people.all()]
    parts += [e.body for e in case.events.all()]
    parts += [o.description for o in case.outcomes.all()]
    return " ".join(parts)


@pytest.mark.parametrize(
    ("slug", "facts"),
    [
        (
            "classified-papers-taken-home",
            [
                "28",
                "youngest mid-level official",
                "three classified documents",
                "relative surnamed Li",
                "long been engaged in espionage",
                "Party disciplinary action",
                "demoted",
                "illegally providing state secrets overseas",
            ],
        ),
        (
            "world-cup-gambling-debt",
            [
                "FIFA World Cup",
                "savings",
                "contacted a foreign espionage agency himself",
                "over 70,000 yuan",
                "illegally providing state secrets overseas",
            ],
        ),
        (
            "honey-trap-abroad",
            [
                "provincial government",
                "short-term training programme",
                "honey trap",
                "compromising private photos",
                "did not report",
                "five years in prison",
                "three years' deprivation of political rights",
                "espionage",
            ],
        ),
    ],
)
def test_it_tells_every_fact_of_the_article(slug, facts):
    load()
    text = story_text(Case.objects.get(slug=slug))
    for fact in facts:
        assert fact in text, fact


def test_it_leaves_out_article_numbers_that_are_not_verified():
    load()
    unverified = ["counter-espionage-law-duty-to-report", "state-secrets-law-classified-carriers"]
    assert set(
        LegalProvision.objects.filter(code__in=unverified).values_list("article", flat=True)
    ) == {""}
