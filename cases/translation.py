"""The case library's learner-facing text, in every language of the site.

django-modeltranslation adds one column per language (`title_en`,
`title_zh_hans`); reading `case.title` gives the active language's text,
falling back to English where a translation is still empty.

The audit trail is registered here too, at the end: a historical model
copies the columns its model has when it is made, and the per-language
columns exist only once the registrations above have added them.
"""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from cases.models import Case, Disclosure, Event, LegalProvision, Outcome, Person, RedFlag, Theme


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(LegalProvision)
class LegalProvisionTranslation(TranslationOptions):
    fields = ("law", "article", "title", "summary")


@register(Disclosure)
class DisclosureTranslation(TranslationOptions):
    fields = ("publisher", "title", "framing", "closing", "note")


@register(Case)
class CaseTranslation(TranslationOptions):
    fields = ("title", "hook", "summary", "lesson")


@register(Person)
class PersonTranslation(TranslationOptions):
    fields = ("label", "role", "description", "fate")


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "body")


@register(RedFlag)
class RedFlagTranslation(TranslationOptions):
    fields = ("sign", "explanation", "correct_behaviour", "rule")


@register(Outcome)
class OutcomeTranslation(TranslationOptions):
    fields = ("description",)


# Who changed what and when (django-simple-history), in every language: the
# historical tables have title_en, title_zh_hans … like the models above.
for model in (Theme, LegalProvision, Disclosure, Case, Person, Event, RedFlag, Outcome):
    simple_history.register(model)
