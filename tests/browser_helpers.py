"""Helpers shared by the browser tests: an axe-core scan, a tab without
JavaScript, and the checks a page must pass at phone width and from the keyboard.

The fixtures here are imported by the test modules that use them (the shared
ones — `browser`, `page`, `phone_page`, `demo` — live in `conftest.py`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe

# axe-core's impact levels, mildest first. Serious and critical ones fail the
# test; moderate and minor ones are reported so someone can judge them.
BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()


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
    """Nothing on the page is wider than the window (WCAG 1.4.10 reflow)."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (
        f"{label or page.url} scrolls sideways: content {widths[0]}px in a {widths[1]}px window; "
        f"widest elements: {widest_elements(page, widths[1])}"
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
