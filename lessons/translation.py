"""The modules' learner-facing text, in every language of the site (see
cases/translation.py). Attempts are not translated: each one copies the
text it showed, in the language it was taken in.

The audit trail of the content is registered at the end, after the
translations have added their columns (see cases/translation.py)."""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from lessons.models import Choice, DecisionOption, DecisionPoint, LessonSection, Module, Question


@register(Module)
class ModuleTranslation(TranslationOptions):
    fields = ("title", "intro", "acknowledgement")


@register(LessonSection)
class LessonSectionTranslation(TranslationOptions):
    fields = ("title", "body")


@register(DecisionPoint)
class DecisionPointTranslation(TranslationOptions):
    fields = ("prompt", "what_happened")


@register(DecisionOption)
class DecisionOptionTranslation(TranslationOptions):
    fields = ("text", "feedback")


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("text", "explanation")


@register(Choice)
class ChoiceTranslation(TranslationOptions):
    fields = ("text",)


# Who changed what and when (django-simple-history), in every language.
for model in (Module, LessonSection, DecisionPoint, DecisionOption, Question, Choice):
    simple_history.register(model)
