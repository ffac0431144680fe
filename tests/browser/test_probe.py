import pytest

from tests.browser.conftest import log_in_context
from tests.browser.scenes import consultation_with_options

pytestmark = pytest.mark.browser

@pytest.mark.browser_context_args(bypass_csp=True)
def test_probe(live_server, context, counselor, demo_clinic):
    c = consultation_with_options(counselor, demo_clinic)
    page = context.new_page()
    urls = ["/accounts/login/"]
    for u in urls:
        page.goto(u)
        page.add_script_tag(path="node_modules/axe-core/axe.min.js")
        r = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for v in r["violations"]:
            print(u, v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:5])
    log_in_context(context, counselor, live_server.url)
    for u in ["/consultations/", f"/consultations/{c.public_id}/", "/catalog/conditions/", "/catalog/conditions/rolling-scar/", "/catalog/treatments/", "/catalog/treatments/subcision/", "/consultations/new/", "/catalog/treatments/exosome/"]:
        page.goto(u)
        page.add_script_tag(path="node_modules/axe-core/axe.min.js")
        r = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for v in r["violations"]:
            print(u, v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:5], len(v["nodes"]))
    page.goto(f"/consultations/{c.public_id}/")
    page.screenshot(path="/tmp/ws.png", full_page=True)
