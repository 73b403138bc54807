"""plotly.js's styles come from static files, not inline <style> elements the CSP refuses: the files
match what the vendored bundle would inject, and the dashboard links them under the ids that make
plotly.js skip its own injection (tools/plotly_css.py)."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "static" / "vendor" / "plotly" / "plotly-4.1.1.min.js"
TOOL = runpy.run_path(str(ROOT / "tools" / "plotly_css.py"))


def test_the_style_files_hold_exactly_what_the_bundle_would_inject():
    for path, text in TOOL["outputs"](BUNDLE).items():
        assert path.read_text(encoding="utf-8") == text, f"run: python tools/plotly_css.py {BUNDLE}"
    rules = (BUNDLE.parent / "plotly-4.1.1.css").read_text(encoding="utf-8").splitlines()
    assert len(rules) == 1 + 66  # the header, then one line per rule
    assert rules[-1] == (
        '.js-plotly-plot .plotly,.js-plotly-plot .plotly div{direction:ltr;font-family:"Open Sans",'
        "verdana,arial,sans-serif;margin:0;padding:0;border:0;}"
    )


def test_every_page_with_charts_links_them_under_the_ids_plotly_checks():
    # The dashboard and the public pages draw charts through this one include.
    template = (ROOT / "templates" / "plotly_assets.html").read_text(encoding="utf-8")
    maplibre_id, _ = TOOL["maplibre_rules"](BUNDLE.read_text(encoding="utf-8"))
    assert (
        '<link rel="stylesheet" id="plotly.js-style-global" class="no-inline-styles" '
        "href=\"{% static 'vendor/plotly/plotly-4.1.1.css' %}\">" in template
    )
    assert (
        f'<link rel="stylesheet" id="{maplibre_id}" '
        "href=\"{% static 'vendor/plotly/plotly-4.1.1-maplibre.css' %}\">" in template
    )
