"""Helpers shared by the browser tests: an axe-core scan, a tab without
JavaScript, and the checks a page must pass at phone width and from the keyboard.

The fixtures here are imported by the test modules that use them (the shared
ones — `browser`, `page`, `phone_page`, `demo`, `org` — live in `conftest.py`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

# axe-core's impact levels, mildest first. Serious and critical ones fail the
# test; moderate and minor ones are reported so someone can judge them.
BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()


def sign_in(page, username: str, password: str = "awareness-demo") -> None:
    """Sign in through the real form, as a person would, and wait until the
    sign-in has taken us away from the form: the sign-in page itself may
    still fire a load event, so a page.goto right after a mere load could
    abort the sign-in's redirect."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


class AccessibilityWarning(UserWarning):
    """An axe-core finding below "serious": shown in pytest's warnings summary."""


def _describe(violation: dict) -> str:
    targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
    return (
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"[{len(violation['nodes'])} element(s): {targets}]"
    )


def check_accessibility(page, label: str) -> list[str]:
    """Run axe-core on the page as it is now; fail on serious or critical
    violations and return (and warn about) the milder ones.

    Playwright's `evaluate` runs the axe script through the DevTools protocol,
    which the page's Content-Security-Policy does not govern, so the site's
    strict policy needs no exception for the scan.
    """
    violations = AXE.run(page).response["violations"]
    blocking = [_describe(v) for v in violations if v["impact"] in BLOCKING_IMPACTS]
    milder = [_describe(v) for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    for finding in milder:
        print(f"axe on {label}: {finding}")
        warnings.warn(f"axe on {label}: {finding}", AccessibilityWarning, stacklevel=2)
    assert not blocking, f"axe on {label} ({page.url}):\n" + "\n".join(blocking)
    return milder


def assert_no_horizontal_scroll(page, label: str = "") -> None:
    """Nothing on the page is wider than the window (WCAG 1.4.10 reflow).

    The window's width is the narrowest of the configured viewport, the layout
    viewport and `innerWidth`: a phone browser zooms out to fit content that
    overflows, which widens `innerWidth` and would hide the overflow."""
    scroll_width, window_width = page.evaluate(
        """(viewport) => [
            document.documentElement.scrollWidth,
            Math.min(viewport, window.innerWidth, document.documentElement.clientWidth),
        ]""",
        page.viewport_size["width"],
    )
    assert scroll_width <= window_width, (
        f"{label or page.url} scrolls sideways: content {scroll_width}px in a "
        f"{window_width}px window; widest elements: {widest_elements(page, window_width)}"
    )


def widest_elements(page, limit: int) -> list[str]:
    """The elements reaching past `limit` pixels, to say what to fix."""
    return page.evaluate(
        """(limit) => Array.from(document.querySelectorAll('body *'))
            .filter(el => el.getBoundingClientRect().right > limit + 1)
            .slice(0, 8)
            .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                 + ' ' + Math.round(el.getBoundingClientRect().right) + 'px')""",
        limit,
    )


# What the focused element looks like: its outline and box shadow, which the
# site stylesheet sets for :focus-visible.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    type: el.getAttribute('type') || '',
    name: el.getAttribute('name') || '',
    value: el.getAttribute('value') || '',
    text: (el.innerText || el.value || '').trim().slice(0, 80),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
    focusVisible: el.matches(':focus-visible'),
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUS_STYLE)


def assert_focus_visible(page) -> dict:
    """The element holding keyboard focus shows it (WCAG 2.4.7)."""
    state = focused(page)
    assert state is not None, "nothing has keyboard focus"
    outline = state["outlineStyle"] != "none" and state["outlineWidth"] > 0
    shadow = state["boxShadow"] not in ("", "none")
    assert outline or shadow, f"focus is invisible on {state}"
    return state


def tab_to(page, matches, *, limit: int = 60, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until the focused element satisfies `matches`,
    checking at every stop that focus is visible. Returns the element's state."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(page) is None:
            # Past the last element focus leaves the page (for the browser's
            # own controls); the next Tab brings it back to the top.
            continue
        state = assert_focus_visible(page)
        if matches(state):
            return state
    raise AssertionError(f"{limit} presses of {key} never reached the element wanted")


@pytest.fixture
def no_js_page(browser, live_server) -> Iterator:
    """A fresh tab with JavaScript switched off, as on a locked-down office PC."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# ---------------------------------------------------------------------------
# The employee journey, step by step. Each step ends on a page and hands it to
# `check(page, label)`, so one walk serves the plain journey, the phone-width
# reflow check and the accessibility scan alike.


# The pages the employee journey hands to `check`, in order.
JOURNEY_PAGES = (
    "sign-in",
    "My training",
    "module",
    "story",
    "story after a decision",
    "lesson",
    "quiz question",
    "review",
    "result, not passed",
    "result, passed",
    "commitment",
    "certificate",
    "verify",
)


def no_check(page, label: str) -> None:
    """The default `check`: the journey's own assertions are enough."""


def answer_ids(attempt_id: int, position: int, *, correct: bool) -> list[int]:
    """The choices to tick on a question of an attempt: every right one, or
    one wrong one. Read from the attempt's own copy of the question, which is
    what the server scores against."""
    from lessons.models import AttemptChoice

    choices = AttemptChoice.objects.filter(
        attempt_question__attempt_id=attempt_id, attempt_question__position=position
    )
    right = [choice.pk for choice in choices if choice.is_correct]
    wrong = [choice.pk for choice in choices if not choice.is_correct]
    assert right and wrong, (
        f"question {position} of attempt {attempt_id} has no right or wrong choice"
    )
    return right if correct else wrong[:1]


QUESTION_URL = re.compile(r"/attempts/(\d+)/q/(\d+)/")


def current_question(page) -> tuple[int, int]:
    """(attempt id, position) of the question on screen, from the address."""
    match = QUESTION_URL.search(page.url)
    assert match, f"not on a quiz question: {page.url}"
    return int(match[1]), int(match[2])


def wait_after_answer(page, position: int, count: int) -> None:
    """After saving question `position`, the next question or the review is
    on screen: swapped in by htmx or loaded as a page without JavaScript."""
    if position < count:
        page.wait_for_url(re.compile(rf"/attempts/\d+/q/{position + 1}/"))
        expect(page.locator(".quiz-position")).to_contain_text(
            f"Question {position + 1} of {count}"
        )
        wait_for_htmx(page)
    else:
        page.wait_for_url(re.compile(r"/attempts/\d+/review/"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Review your answers")


def wait_for_htmx(page) -> None:
    """Wait until htmx has finished a swap. It wires up the swapped-in form
    only when the swap settles (some 20 ms later); a keyboard faster than
    that would submit the form as a plain page load instead."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def question_count(page) -> int:
    match = re.search(r"Question \d+ of (\d+)", page.locator(".quiz-position").inner_text())
    assert match, "the question page does not say how many questions there are"
    return int(match[1])


def answer_quiz(page, *, correct: bool, check=no_check) -> int:
    """Answer every question of the attempt on screen, rightly or wrongly,
    clicking the options as a person would; end on the review page. Returns
    the attempt id."""
    attempt_id, position = current_question(page)
    count = question_count(page)
    while True:
        attempt_id, position = current_question(page)
        if position == 1:
            check(page, "quiz question")
        for choice_id in answer_ids(attempt_id, position, correct=correct):
            page.locator(f'label[for="choice-{choice_id}"]').click()
            expect(page.locator(f"#choice-{choice_id}")).to_be_checked()
        page.locator(".question-form").get_by_role("button", name=re.compile("^Save")).click()
        wait_after_answer(page, position, count)
        if position == count:
            return attempt_id


def submit_review(page, check=no_check) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Review your answers")
    check(page, "review")
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/result/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your result")


def take_decisions(page, check=no_check) -> int:
    """Answer every open "what would you do?" in the story; each shows what
    really happened. Returns how many were answered."""
    answered = 0
    forms = page.locator(".decision form")
    while forms.count():
        form = forms.first
        point = form.locator('input[name="decision"]').get_attribute("value")
        form.locator("label.option").first.click()
        form.get_by_role("button", name="Decide").click()
        decision = page.locator(f"#decision-{point}")
        expect(decision).to_contain_text("You chose:")
        expect(decision).to_contain_text("What actually happened")
        answered += 1
        if answered == 1:
            check(page, "story after a decision")
    return answered


def fresh_module_for(username: str):
    """A published module the person has never attempted, so the journey
    starts from the beginning whatever history the demo gave them."""
    from lessons.models import Module

    module = (
        Module.objects.published()
        .exclude(attempts__user__username=username)
        .order_by("order", "title")
        .first()
    )
    assert module is not None, f"{username} has attempted every published module already"
    return module


def read_pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    assert data.startswith(b"%PDF"), f"not a PDF: {data[:20]!r}"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def employee_journey(page, *, username: str = "employee", check=no_check) -> dict:
    """Sign in, open a module from My training, read the story and answer its
    decision points, read the lesson, fail the quiz, retake and pass it,
    confirm the commitment, download the certificate and open its check page.

    `check(page, label)` is called on every kind of page on the way. Returns
    what the walk produced (the module, the attempts, the PDF's text)."""
    from django.contrib.auth import get_user_model

    from completion.models import Certificate
    from lessons.models import Attempt

    person = get_user_model().objects.get(username=username)
    module = fresh_module_for(username)

    page.goto("/accounts/login/")
    check(page, "sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("awareness-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    check(page, "My training")

    page.locator("main").get_by_role("link", name=module.title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
    check(page, "module")

    page.get_by_role("link", name="Read the story").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The story")
    check(page, "story")
    decisions = take_decisions(page, check)

    page.get_by_role("link", name="Next: the lesson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The lesson: rules to remember")
    check(page, "lesson")

    # From the lesson straight into the quiz: the button starts it.
    page.get_by_role("button", name="Next: the quiz").click()
    failed_id = answer_quiz(page, correct=False, check=check)
    submit_review(page, check)
    expect(page.locator(".result-outcome")).to_contain_text("Not passed")
    check(page, "result, not passed")

    page.get_by_role("button", name="Retake the quiz").click()
    passed_id = answer_quiz(page, correct=True)
    assert passed_id != failed_id, "a retake must be a new attempt"
    submit_review(page)
    expect(page.locator(".result-outcome")).to_contain_text("Passed")
    expect(page.locator(".result-outcome")).to_contain_text("100%")
    check(page, "result, passed")

    page.get_by_role("link", name="Confirm the commitment and get your certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your commitment")
    check(page, "commitment")
    page.get_by_label("I confirm that I have read and will abide by this commitment.").check()
    page.get_by_role("button", name="Confirm and receive my certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your certificate")
    check(page, "certificate")

    certificate = Certificate.objects.get(completion__user=person, completion__module=module)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download certificate (PDF)").click()
    pdf_text = read_pdf_text(download_info.value.path().read_bytes())

    # Open the check page at the address printed on the certificate (its
    # host is SITE_URL; the path is the same on the test server).
    printed = re.search(r"/verify/\s*([\w-]+)/", pdf_text)
    assert printed, f"no verify link printed on the certificate:\n{pdf_text}"
    page.goto(f"/verify/{printed[1]}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a certificate")
    expect(page.locator(".verify-result")).to_contain_text("Valid")
    expect(page.locator(".verify-result")).to_contain_text(certificate.holder_name)
    check(page, "verify")

    return {
        "module": module,
        "decisions": decisions,
        "attempts": list(Attempt.objects.filter(user=person, module=module).order_by("number")),
        "certificate": certificate,
        "pdf_text": pdf_text,
    }


# ---------------------------------------------------------------------------
# The keyboard alone: Tab to move, Space to tick, arrows within a radio group,
# Enter to submit. Every stop is checked for a visible focus indicator.


def is_choice(state: dict) -> bool:
    return state["tag"] == "input" and state["name"] == "choice"


def is_button(text: str):
    return lambda state: state["tag"] == "button" and state["text"].startswith(text)


def tab_through_page(page, label: str) -> int:
    """Reload the page and Tab from its top through every focusable element
    until focus leaves the page, checking each stop shows focus. Returns how
    many stops there were."""
    page.goto(page.url)
    for stops in range(200):
        page.keyboard.press("Tab")
        if focused(page) is None:
            return stops
        assert_focus_visible(page)
    raise AssertionError(f"200 presses of Tab never left {label}")


def keyboard_sign_in(page, username: str, password: str = "awareness-demo") -> None:
    page.goto("/accounts/login/")
    # The username field has autofocus; otherwise Tab to it.
    if (focused(page) or {}).get("name") != "username":
        tab_to(page, lambda state: state["name"] == "username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert assert_focus_visible(page)["name"] == "password"
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def keyboard_answer(page, choice_ids: list[int]) -> None:
    """Tick `choice_ids` on the question on screen and save it, by keyboard."""
    state = tab_to(page, is_choice)
    wanted = {str(pk) for pk in choice_ids}
    if state["type"] == "radio":
        # Tab enters the group on its first option; Space ticks it and the
        # arrow keys move the tick to the next one.
        page.keyboard.press("Space")
        for _ in range(10):
            if assert_focus_visible(page)["value"] in wanted:
                break
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
    else:
        # Checkboxes are separate Tab stops: Space ticks the ones wanted.
        while is_choice(state):
            if state["value"] in wanted:
                page.keyboard.press("Space")
            page.keyboard.press("Tab")
            state = assert_focus_visible(page)
    for pk in choice_ids:
        expect(page.locator(f"#choice-{pk}")).to_be_checked()
    if not is_button("Save")(assert_focus_visible(page)):
        tab_to(page, is_button("Save"))
    page.keyboard.press("Enter")


def keyboard_quiz(page, *, correct: bool) -> int:
    """Answer every question of the attempt on screen by keyboard; end on
    the review page. Returns the attempt id."""
    count = question_count(page)
    while True:
        attempt_id, position = current_question(page)
        keyboard_answer(page, answer_ids(attempt_id, position, correct=correct))
        wait_after_answer(page, position, count)
        if position < count:
            # htmx swapped the next question in: focus must follow it, not be
            # left on a button that no longer exists.
            expect(page.locator("#question-heading")).to_be_focused()
        if position == count:
            return attempt_id
