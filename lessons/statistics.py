"""Item analysis of the question bank, as Moodle's quiz statistics do it.

Per question, from submitted attempts:

- **times drawn** and **facility**: the share of those draws answered
  correctly (1.0: everyone gets it; a question nobody misses teaches nothing
  about who knows the rule);
- **discrimination**: on first attempts, the correlation (Pearson's r) of the
  question's score (0 or 1) with the rest of the attempt's score. Near 1,
  people who know the module get it and people who do not miss it; near 0 or
  below, it measures something else (luck, a trick, a badly worded item);
- **picks per choice**: how often each choice was chosen when shown.

Questions with a discrimination below 0.2 or a facility above 0.95 are
flagged for the trainer to rewrite. Only aggregates: nobody's answers.

Every figure is summed in SQL in the query that lists the questions
(`QuestionQuerySet.with_statistics`, or `statistics_by_question` over any
set of attempt questions, e.g. one unit's), and the correlation is computed
from those sums.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Case, Count, ExpressionWrapper, F, IntegerField, Q, Sum, When
from django.utils.translation import gettext_lazy as _

LOW_DISCRIMINATION = 0.2
HIGH_FACILITY = 0.95


def aggregates(prefix: str = "") -> dict:
    """The sums an item analysis needs, over attempt questions reached by
    `prefix` ("" on AttemptQuestion itself, "attempt_questions__" from Question)."""
    from lessons.models import AttemptStatus

    submitted = Q(**{f"{prefix}attempt__status": AttemptStatus.SUBMITTED})
    first = submitted & Q(**{f"{prefix}attempt__number": 1})
    score = Case(
        When(**{f"{prefix}is_correct": True}, then=1), default=0, output_field=IntegerField()
    )
    rest = ExpressionWrapper(
        F(f"{prefix}attempt__correct_count") - score, output_field=IntegerField()
    )
    key = f"{prefix}pk"
    return {
        "stat_drawn": Count(key, filter=submitted),
        "stat_correct": Count(key, filter=submitted & Q(**{f"{prefix}is_correct": True})),
        "stat_first": Count(key, filter=first),
        "stat_x": Sum(score, filter=first),
        "stat_rest": Sum(rest, filter=first),
        "stat_x_rest": Sum(
            ExpressionWrapper(score * rest, output_field=IntegerField()), filter=first
        ),
        "stat_rest_squared": Sum(
            ExpressionWrapper(rest * rest, output_field=IntegerField()), filter=first
        ),
    }


@dataclass
class ItemStatistics:
    drawn: int = 0
    correct: int = 0
    first: int = 0  # first attempts that drew it
    x: int = 0  # sum of its score on those
    rest: int = 0  # sum of the rest of those attempts' scores
    x_rest: int = 0
    rest_squared: int = 0

    @classmethod
    def of(cls, row) -> ItemStatistics:
        """From a row (dict or annotated object) carrying `aggregates()`."""
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name, None)
        return cls(
            drawn=get("stat_drawn") or 0,
            correct=get("stat_correct") or 0,
            first=get("stat_first") or 0,
            x=get("stat_x") or 0,
            rest=get("stat_rest") or 0,
            x_rest=get("stat_x_rest") or 0,
            rest_squared=get("stat_rest_squared") or 0,
        )

    @property
    def facility(self) -> float | None:
        return self.correct / self.drawn if self.drawn else None

    @property
    def discrimination(self) -> float | None:
        """Pearson's r of the item score with the rest score (first attempts);
        None when either does not vary (too few attempts, or all alike)."""
        n = self.first
        # The item score is 0 or 1, so the sum of its squares is its sum.
        spread_x = n * self.x - self.x * self.x
        spread_rest = n * self.rest_squared - self.rest * self.rest
        if n < 2 or spread_x <= 0 or spread_rest <= 0:
            return None
        return (n * self.x_rest - self.x * self.rest) / math.sqrt(spread_x * spread_rest)

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.facility is not None and self.facility > HIGH_FACILITY:
            flags.append(str(_("too easy")))
        if self.discrimination is not None and self.discrimination < LOW_DISCRIMINATION:
            flags.append(str(_("discriminates poorly")))
        return flags


def statistics_by_question(attempt_questions) -> dict[int, ItemStatistics]:
    """Item statistics of every question in `attempt_questions` (an
    AttemptQuestion queryset, already narrowed), in one query."""
    rows = attempt_questions.values("question_id").annotate(**aggregates()).order_by()
    return {row["question_id"]: ItemStatistics.of(row) for row in rows}


def choice_picks(attempt_questions) -> dict[int, tuple[int, int]]:
    """For each bank choice shown in `attempt_questions` (submitted attempts
    only): (times picked, times shown), in one query."""
    from lessons.models import AttemptChoice, AttemptStatus

    rows = (
        AttemptChoice.objects.filter(
            attempt_question__in=attempt_questions.filter(attempt__status=AttemptStatus.SUBMITTED),
            choice__isnull=False,
        )
        .values("choice_id")
        .annotate(picked=Count("pk", filter=Q(selected=True)), shown=Count("pk"))
        .order_by()
    )
    return {row["choice_id"]: (row["picked"], row["shown"]) for row in rows}
