"""Views of the lessons app: a module's overview, its story with decision
points, its lesson, and the quiz (question by question, review, result).

Submitting an attempt is the completion app's view (`completion:submit_attempt`),
because a passing submit also records the completion.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url
from django_htmx.middleware import HtmxDetails

from awareness.converters import as_id
from lessons.models import (
    Attempt,
    AttemptQuestion,
    DecisionPoint,
    Module,
    can_preview,
    read_attempt,
)

# An answer or a decision that cannot be accepted is shown again with its
# message; lessons.js lets htmx swap these responses in.
UNPROCESSABLE = 422


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _get_module_for_user(user, slug: str) -> Module:
    return get_object_or_404(
        Module.objects.visible_to(user).select_related("case__disclosure"), slug=slug
    )


def _get_attempt_for_user(user, attempt_id: int, *, positions: Sequence[int] = ()) -> Attempt:
    # Only the owner ever reaches an attempt; for anyone else it does not exist.
    attempt = read_attempt(attempt_id=attempt_id, user=user, positions=positions)
    if attempt is None:
        raise Http404
    return attempt


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    # An htmx request would follow a plain redirect and swap a whole page
    # into the question panel: ask htmx to load the page instead.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _resume_url(attempt: Attempt) -> str:
    position = attempt.first_unanswered_position()
    if position is None:
        return reverse("lessons:review", args=[attempt.pk])
    return reverse("lessons:question", args=[attempt.pk, position])


@require_GET
def module_detail(request: HttpRequest, slug: str) -> HttpResponse:
    module = _get_module_for_user(request.user, slug)
    progress = module.progress_for(request.user)
    return render(request, "lessons/module.html", {"module": module, "progress": progress})


@require_http_methods(["GET", "POST"])
def story(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    module = _get_module_for_user(request.user, slug)
    if request.method == "POST":
        return _decide(request, module)
    return _render_story(request, module)


def _render_story(
    request: HtmxHttpRequest,
    module: Module,
    *,
    decided: DecisionPoint | None = None,
    error: str | None = None,
) -> HttpResponse:
    # htmx swaps the story part alone: a decision reveals its feedback and
    # the events after it, so the whole timeline below the summary changes.
    template = "lessons/story.html#story" if request.htmx else "lessons/story.html"
    story = module.story_for(request.user)
    open_points = [p.pk for e in story.events for p in e.decision_points if p.response is None]
    context = {
        "module": module,
        "case": module.case,
        "story": story,
        "decided": decided.pk if decided else None,
        "error": error,
        # An error about a moment the story has not reached is shown on top.
        "error_on_top": error and decided and decided.pk not in open_points,
    }
    return render(request, template, context, status=UNPROCESSABLE if error else 200)


def _decide(request: HtmxHttpRequest, module: Module) -> HttpResponse:
    decision_id = as_id(request.POST.get("decision"))
    if decision_id is None:
        raise Http404
    point = get_object_or_404(module.decision_points, pk=decision_id)
    story_url = reverse("lessons:story", args=[module.slug])
    try:
        point.respond(user=request.user, option_id=request.POST.get("option"))
    except ValidationError as error:
        # The story again, with the message at the decision (status 422).
        return _render_story(request, module, decided=point, error=error.messages[0])
    if request.htmx:
        return _render_story(request, module, decided=point)
    return redirect(f"{story_url}#decision-{point.pk}")


@require_GET
def lesson(request: HttpRequest, slug: str) -> HttpResponse:
    module = _get_module_for_user(request.user, slug)
    sections = module.sections.select_related("event", "red_flag")
    context = {
        "module": module,
        "sections": sections,
        "progress": module.progress_for(request.user),
    }
    return render(request, "lessons/lesson.html", context)


@require_POST
def start_quiz(request: HttpRequest, slug: str) -> HttpResponse:
    module = _get_module_for_user(request.user, slug)
    try:
        attempt = Attempt.objects.start(user=request.user, module=module)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(module)
    return redirect(_resume_url(attempt))


@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, attempt_id: int, position: int) -> HttpResponse:
    # The hot path of deadline day (bench/hot_path.py): one statement reads
    # the attempt with the question shown (and, for an answer, the next
    # one), the answer is written in one more, and the page is drawn from
    # what was read.
    back_to_review = request.POST.get("then", request.GET.get("then")) == "review"
    answering = request.method == "POST"
    positions = (position, position + 1) if answering else (position,)
    attempt = _get_attempt_for_user(request.user, attempt_id, positions=positions)
    error = None
    if answering and not attempt.is_submitted:
        try:
            attempt.answer(position=position, choice_ids=request.POST.getlist("choice"))
        except ValidationError as exc:
            error = exc.messages[0]
    if attempt.is_submitted:  # before, or in another tab while this answer came
        return _to_result(request, attempt)
    if answering and error is None:
        return _after_answer(request, attempt, position, back_to_review)
    current = attempt.questions_read.get(position)
    if current is None:
        messages.error(
            request,
            _("Question %(position)s is not part of this attempt.") % {"position": position},
        )
        return _redirect(request, _resume_url(attempt))
    return _render_question(request, attempt, current, back_to_review, error)


def _to_result(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    messages.info(request, _("This attempt has been submitted; here is its result."))
    return _redirect(request, reverse("lessons:result", args=[attempt.pk]))


def _render_question(
    request: HttpRequest,
    attempt: Attempt,
    current: AttemptQuestion,
    back_to_review: bool = False,
    error: str | None = None,
    *,
    url: str | None = None,
) -> HttpResponse:
    """The question page (or its panel, for htmx), from what `read_attempt`
    read: no query of its own. `url`: the question's, when the caller has it."""
    template = "lessons/question.html#question" if request.htmx else "lessons/question.html"
    context = {
        "attempt": attempt,
        "module": attempt.module,
        "current": current,
        "question_url": url or reverse("lessons:question", args=[attempt.pk, current.position]),
        "answered_count": attempt.answered_count,
        "back_to_review": back_to_review,
        "error": error,
        "choices": current.choices_shown(),
        "htmx": bool(request.htmx),
    }
    return render(request, template, context, status=UNPROCESSABLE if error else 200)


def _after_answer(
    request: HttpRequest, attempt: Attempt, position: int, back_to_review: bool
) -> HttpResponse:
    following = attempt.questions_read.get(position + 1)
    if back_to_review or position >= attempt.question_count or following is None:
        return _redirect(request, reverse("lessons:review", args=[attempt.pk]))
    next_url = reverse("lessons:question", args=[attempt.pk, position + 1])
    if not request.htmx:
        return redirect(next_url)
    # htmx: swap in the next question at once and keep the address bar honest.
    return push_url(_render_question(request, attempt, following, url=next_url), next_url)


@require_GET
def review(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request.user, attempt_id)
    if attempt.is_submitted:
        return redirect("lessons:result", attempt_id=attempt.pk)
    questions = attempt.questions.prefetch_related("choices")
    unanswered = sum(not question.is_answered for question in questions)
    context = {
        "attempt": attempt,
        "module": attempt.module,
        "questions": questions,
        "unanswered": unanswered,
    }
    return render(request, "lessons/review.html", context)


@require_GET
def result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request.user, attempt_id)
    if not attempt.is_submitted:
        return redirect("lessons:review", attempt_id=attempt.pk)
    progress = attempt.module.progress_for(request.user)
    context = {
        "attempt": attempt,
        "module": attempt.module,
        "questions": attempt.questions.prefetch_related("choices"),
        "progress": progress,
        # The answer key only once nothing is left to gain from it: a passed
        # attempt (it showed the key when it passed), or the module passed or
        # its attempts used up.
        "show_key": attempt.passed or progress.shows_answer_key,
    }
    return render(request, "lessons/result.html", context)


@require_GET
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole question bank as a learner would meet it, for trainers."""
    if not can_preview(request.user):
        raise Http404
    module = _get_module_for_user(request.user, slug)
    questions = module.questions.active().prefetch_related("choices")
    return render(request, "lessons/preview.html", {"module": module, "questions": questions})
