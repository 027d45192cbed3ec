"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, against a live gunicorn server.

In CI (``CI=true``) a missing browser or Playwright fails the browser tests; elsewhere they are skipped
with the reason. ``.ci/run`` installs chromium with apt-get before ``make test``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.live_server import live_server  # noqa: F401

CHROMIUM = Path(os.environ.get("PARSURVEY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed; pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot(tmp_path_factory):
    """Save a full-page screenshot as <name>.png: into docs/screenshots/ (linked from the README) when
    PARSURVEY_SCREENSHOTS=1 (``make screenshots``), else into a temporary folder, so a test run leaves
    the working tree clean. The file is checked to be a real, non-empty PNG either way."""
    folder = DOCS_SCREENSHOTS if os.environ.get("PARSURVEY_SCREENSHOTS") == "1" else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> None:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000

    return take


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(i => i.type !== 'hidden' && !(i.labels && i.labels.length) && !i.getAttribute('aria-label'))
    .map(i => i.id || i.name)"""


@pytest.fixture
def unlabelled():
    """The ids of inputs on the page that have no label (should be none)."""
    return lambda page: page.evaluate(UNLABELLED)


@pytest.fixture
def overflows():
    """How many CSS pixels the page is wider than its viewport (0: nothing to scroll sideways)."""
    return lambda page: page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# The WCAG 2.0 and 2.1 rules of levels A and AA that axe-core knows (color-contrast among them), and the rules
# for WCAG criteria that axe-core still marks experimental and leaves out unless asked (label in name 2.5.3,
# orientation 1.3.4, info and relationships 1.3.1).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_EXPERIMENTAL = [
    "label-content-name-mismatch",
    "css-orientation-lock",
    "p-as-heading",
    "table-fake-caption",
    "td-has-header",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": AXE_TAGS},
    "rules": {rule: {"enabled": True} for rule in AXE_EXPERIMENTAL},
    "resultTypes": ["violations"],
}
WIDTHS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1280, "height": 900}}


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


@pytest.fixture
def axe():
    """Check the page as it is with axe-core (bundled by the axe-playwright-python package) at a phone and a
    desktop width: ``axe(page, "screen name")`` fails the test with every WCAG 2 A/AA violation found."""
    from axe_playwright_python.sync_playwright import Axe

    engine = Axe()

    def check(page, screen: str) -> None:
        original = page.viewport_size
        found = []
        try:
            for width, size in WIDTHS.items():
                page.set_viewport_size(size)
                page.evaluate("() => new Promise(requestAnimationFrame)")
                results = engine.run(page, options=AXE_OPTIONS)
                if results.violations_count:
                    found.append(f"{screen} at {width} width:\n{_describe(results.response['violations'])}")
        finally:
            page.set_viewport_size(original)
        assert not found, "accessibility violations:\n" + "\n".join(found)

    return check
