"""What the accessibility browser tests check on a page, apart from which pages they visit: axe-core's verdict
(injected from npm's `node_modules/axe-core/axe.min.js`), that the page does not scroll sideways, and that its main
actions are visible and big enough to tap (WCAG 2.2 target size: 24 by 24 CSS pixels).

Each check returns a list of readable problems (empty when the page passes) so that one test can visit many pages
and report all of them at once.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

AXE_SOURCE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
MIN_TARGET_PX = 24

# axe's own rule sets: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and its best practices (landmarks, headings).
AXE_RUN = """async () => {
  const results = await window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    resultTypes: ["violations"],
  });
  return results.violations.map((violation) => ({
    id: violation.id, impact: violation.impact, help: violation.help,
    targets: violation.nodes.slice(0, 5).map((node) => node.target.join(" ")),
    count: violation.nodes.length,
  }));
}"""

# The controls a person taps: buttons, links styled as buttons, form fields; a checkbox or a radio button is tapped
# through its label, which must be the big target. Hidden ones and those of MapLibre's canvas are left out.
SMALL_TARGETS = """([selector, minimum]) => {
  const visible = (element) => {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  };
  const small = [];
  for (const element of document.querySelectorAll(selector)) {
    if (!visible(element)) continue;
    let target = element;
    if (element.matches('input[type="checkbox"], input[type="radio"]')) {
      target = element.closest("label") || (element.id && document.querySelector(`label[for="${element.id}"]`));
      if (!target) { small.push(`${element.outerHTML.slice(0, 80)} has no label to tap`); continue; }
    }
    const box = target.getBoundingClientRect();
    if (box.width < minimum || box.height < minimum) {
      small.push(`${target.outerHTML.slice(0, 80)}… is ${Math.round(box.width)}x${Math.round(box.height)} px`);
    }
  }
  return small;
}"""
TAPPABLE = (
    "button, a.button, a.button-link, select, textarea, "
    'input:not([type="hidden"]):not([type="checkbox"]):not([type="radio"]), '
    'input[type="checkbox"], input[type="radio"]'
)

OUT_OF_VIEW = """(selector) => {
  const element = document.querySelector(selector);
  if (!element) return "absent";
  const box = element.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === "hidden") return "hidden";
  if (box.left < 0 || box.right > document.documentElement.clientWidth) {
    return `outside the viewport (${Math.round(box.left)} to ${Math.round(box.right)} px)`;
  }
  return "";
}"""


@cache
def axe_source() -> str:
    if not AXE_SOURCE.is_file():
        pytest.skip(f"{AXE_SOURCE} is absent (npm ci installs the devDependency axe-core)")
    return AXE_SOURCE.read_text()


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]
    count: int

    def __str__(self) -> str:
        return f"{self.impact} {self.rule} ({self.count}x): {self.help} -> {' | '.join(self.targets)}"


def axe_violations(page: Page) -> list[Violation]:
    """axe-core's violations of the page as it stands. The script is evaluated by the browser's debugger (not a
    <script> element), so the page's Content-Security-Policy, which forbids inline scripts, stays in force."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(f"() => {{ {axe_source()}\n }}")
        if not page.evaluate("() => Boolean(window.axe)"):
            raise AssertionError("axe-core did not load into the page")
    return [
        Violation(item["id"], item["impact"] or "", item["help"], tuple(item["targets"]), item["count"])
        for item in page.evaluate(AXE_RUN)
    ]


def blocking(violations: list[Violation]) -> list[Violation]:
    return [violation for violation in violations if violation.impact in BLOCKING_IMPACTS]


# The innermost elements that stick out of the viewport's width (what makes the page scroll sideways).
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.body.querySelectorAll("*")].filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || box.left < -1);
  });
  return out.filter((element) => !out.some((other) => other !== element && element.contains(other)))
    .slice(0, 4).map((element) => {
      const box = element.getBoundingClientRect();
      const name = element.tagName.toLowerCase() + (element.id ? `#${element.id}` : "")
        + (element.classList.length ? `.${[...element.classList].join(".")}` : "");
      return `${name} (${Math.round(box.left)} to ${Math.round(box.right)} px)`;
    });
}"""


def horizontal_overflow(page: Page) -> str:
    """'' when the page fits its viewport's width, otherwise how much wider it is and what sticks out."""
    width, viewport = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if width <= viewport:
        return ""
    culprits = ", ".join(page.evaluate(STICKING_OUT))
    return f"the page scrolls sideways: {width} px wide in a {viewport} px viewport; sticking out: {culprits}"


def small_targets(page: Page) -> list[str]:
    return page.evaluate(SMALL_TARGETS, [TAPPABLE, MIN_TARGET_PX])


def actions_out_of_view(page: Page, selectors: tuple[str, ...]) -> list[str]:
    """The page's main actions that are absent, hidden or cut by the viewport's edges."""
    problems = []
    for selector in selectors:
        problem = page.evaluate(OUT_OF_VIEW, selector)
        if problem:
            problems.append(f"main action {selector}: {problem}")
    return problems
