"""What a module needs before learners may see it: its case published (or
published with it), a question bank as big as the draw, and every
learner-facing text — the module's, its lesson sections', decision points'
and options', its active questions' and their choices', its case's and the
case's people, events, red flags and outcomes — written in every language of
the site. Each problem names the object, the field and the language."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from django.conf import settings
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname


def language_names() -> dict[str, str]:
    return {code: _(name) for code, name in settings.LANGUAGES}


def translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The model's learner-facing fields, in the order of its form."""
    names = translator.get_options_for_model(model).fields
    return tuple(field.name for field in model._meta.fields if field.name in names)


def missing_texts(
    obj: models.Model, values: Mapping[str, object] | None = None
) -> Iterator[tuple[str, str]]:
    """(field, language) for every learner-facing field of `obj` empty in a
    language. An optional field (blank allowed) counts as missing only
    where another language has text for it. `values` overrides what `obj`
    holds (a form's cleaned data about to be saved)."""
    model = type(obj)
    for name in translated_fields(model):
        blank_allowed = model._meta.get_field(name).blank
        texts = {}
        for code, _name in settings.LANGUAGES:
            column = build_localized_fieldname(name, code)
            value = values[column] if values and column in values else getattr(obj, column)
            texts[code] = (value or "").strip() if isinstance(value, str) else value
        if blank_allowed and not any(texts.values()):
            continue
        for code, text in texts.items():
            if not text:
                yield name, code


def describe(obj: models.Model, field: str, language: str) -> str:
    opts = type(obj)._meta
    return _("%(kind)s “%(object)s”: “%(field)s” is missing in %(language)s.") % {
        "kind": capfirst(opts.verbose_name),
        "object": str(obj) or f"#{obj.pk}",
        "field": opts.get_field(field).verbose_name,
        "language": language_names()[language],
    }


def learner_facing(module) -> Iterable[models.Model]:
    """Everything of `module` a learner reads, the module itself excepted."""
    case = module.case
    yield case
    yield from case.people.all()
    yield from case.events.all()
    yield from case.red_flags.all()
    yield from case.outcomes.all()
    yield from module.sections.all()
    for point in module.decision_points.prefetch_related("options"):
        yield point
        yield from point.options.all()
    for question in module.questions.active().prefetch_related("choices"):
        yield question
        yield from question.choices.all()


def translation_problems(module, values: Mapping[str, object] | None = None) -> list[str]:
    """The texts of `module` (with `values` for the module's own fields)
    that some language lacks, one sentence each."""
    problems = [describe(module, field, code) for field, code in missing_texts(module, values)]
    if module.case_id is None:
        return problems
    for obj in learner_facing(module):
        problems += [describe(obj, field, code) for field, code in missing_texts(obj)]
    return problems


def case_problems(module, *, with_case: bool = False) -> list[str]:
    from cases.models import Status

    case = module.case
    if case.status == Status.PUBLISHED or with_case:
        return []
    return [
        _(
            "Its case “%(case)s” is a draft: publish the case first, or both at once "
            "(“Publish its case too”)."
        )
        % {"case": case}
    ]


SHOWN = 10


def shortened(problems: list[str]) -> list[str]:
    """The first problems, and how many more there are: a module written in
    one language only lacks dozens of texts, and a page of them helps nobody."""
    if len(problems) <= SHOWN:
        return problems
    rest = len(problems) - SHOWN
    return [
        *problems[:SHOWN],
        ngettext("… and %(count)d more text missing.", "… and %(count)d more texts missing.", rest)
        % {"count": rest},
    ]
