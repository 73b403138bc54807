"""axe-core in the browser: the WCAG 2.0 and 2.1 level A and AA rules over pages, each failure described.

axe-core is vendored (tests/browser/vendor/axe-core, see its README), so no test reaches the network.
It is run through `page.evaluate`, which a page's Content-Security-Policy does not govern, so the
check holds under the strict CSP the portal serves.
"""

from functools import cache
from pathlib import Path

VENDOR = Path(__file__).parent / "vendor" / "axe-core"
# JIS X 8341-3:2016 is WCAG 2.0; the 2.1 additions (reflow, non-text contrast…) are checked as well.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.map((node) => ({target: node.target.join(" "), summary: node.failureSummary})),
    }));
}"""


@cache
def axe_source() -> str:
    return (VENDOR / "axe.min.js").read_text(encoding="utf-8")


def axe_version() -> str:
    """The vendored version, from the licence header axe.min.js starts with (`/*! axe v4.14.1`)."""
    return axe_source().split("\n", 1)[0].removeprefix("/*! axe v").strip()


def violations(page) -> list[str]:
    """The current page's WCAG A/AA violations, one line per failing element:
    `rule-id [impact] target: summary`."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    lines = []
    for violation in page.evaluate(RUN, WCAG_AA_TAGS):
        for node in violation["nodes"]:
            summary = " / ".join(node["summary"].splitlines())
            lines.append(
                f"{violation['id']} [{violation['impact']}] {node['target']}: {violation['help']}. {summary}"
            )
    return lines


def audit_page(page, url: str, *, status: int = 200) -> tuple[str, list[str]]:
    """Open `url` and run the rules: the page's title and its violations. A page that answers another
    status than `status`, or redirects (to the login page, say), is a violation too, so it never
    passes for the page meant."""
    response = page.goto(url)
    if response.status != status or page.url != url:
        return page.title(), [f"answered {response.status} at {page.url}, not {status} at {url}"]
    return page.title(), violations(page)


def audit(page, base_url: str, paths: list[str]) -> list[str]:
    """Open each path in turn (in the page's session) and run the rules: every violation, prefixed
    with its path; an empty list when every page passes."""
    problems = []
    for path in paths:
        problems += [f"{path}: {line}" for line in audit_page(page, base_url + path)[1]]
    return problems
