"""Screenshots of the main screens into docs/screenshots/ (`make screenshots`; not part of the tests).

    .venv/bin/python tests/browser/screenshots.py [--out DIR]

Runs the app on a throwaway SQLite database (the catalog, the fictional demo clinic, its demo
accounts and a few sample consultations) in a server thread, and drives the system Chromium.
The development database is not touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))  # run as a script: the project's packages, `tests` included


def prepare_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_DEBUG"] = "1"  # demo accounts (load_demo) and no HTTPS redirect; local only
    os.environ["DJANGO_SETTINGS_MODULE"] = "clinic.settings"
    import django

    django.setup()


def sample_data() -> dict[str, str]:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from catalog.models import Clinic
    from catalog.roles import DEMO_PASSWORD
    from consult.models import Consultation
    from tests.browser.scenes import consultation_with_options

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))
    clinic = Clinic.objects.get(slug="demo-clinic")
    counselor = User.objects.get(username="counselor")
    for number, name in (("A-1003", ""), ("A-1002", "佐藤 美咲")):
        Consultation.objects.create(
            clinic=clinic, counselor=counselor, chart_number=number, display_name=name
        )
    consultation = consultation_with_options(
        counselor, clinic, chart_number="A-1004", display_name="山田 花子"
    )
    # The physician's sign-off, without which the workspace does not issue the handout.
    consultation.sign_off(User.objects.get(username="physician"), consultation.version)
    return {"workspace": f"/consultations/{consultation.public_id}/", "password": DEMO_PASSWORD}


def start_server():
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    server = LiveServerThread("localhost", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return server


def shoot(base_url: str, data: dict[str, str], out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from tests.browser.chromium import CONTEXT_ARGS, launch_args

    shots: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_args())
        context = browser.new_context(**CONTEXT_ARGS, base_url=base_url)
        page = context.new_page()

        def save(name: str, full_page: bool = False, element: str | None = None) -> None:
            path = out / f"{name}.png"
            if element:
                page.locator(element).screenshot(path=path)
            else:
                page.screenshot(path=path, full_page=full_page)
            shots.append(path)

        page.goto("/accounts/login/")
        save("01-login")
        page.locator("#id_username").fill("counselor")
        page.locator("#id_password").fill(data["password"])
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/consultations/")
        save("02-consultations")
        page.goto("/consultations/new/")
        save("03-new-consultation")

        page.goto(data["workspace"])
        save("04-workspace")
        page.locator("#concern-rolling-scar").scroll_into_view_if_needed()
        save("05-concerns-and-suggestions")
        save("06-comparison", element="#results table.compare")
        # The handout: issued from the workspace, its first page as an image.
        with page.expect_response(lambda r: r.url.endswith("/handouts/"), timeout=120_000):
            page.locator("#handouts form button[type=submit]").click()
        with page.expect_download() as download:
            page.locator("#handouts a[href$='.pdf']").first.click()
        pdf = out / "handout.pdf.tmp"
        download.value.save_as(pdf)
        if shutil.which("pdftoppm"):
            first_page = "-png -r 80 -f 1 -l 1 -singlefile".split()
            subprocess.run(["pdftoppm", *first_page, str(pdf), str(out / "07-handout-page-1")], check=True)
            shots.append(out / "07-handout-page-1.png")
        else:
            print("pdftoppm (poppler-utils) is missing: no image of the handout.", file=sys.stderr)
        pdf.unlink()

        page.locator(".lang-switch button[value=en]").click()
        page.wait_for_selector("html[lang=en]")
        save("08-workspace-english")
        page.locator(".lang-switch button[value=ja]").click()
        page.wait_for_selector("html[lang=ja]")

        page.goto("/catalog/treatments/")
        save("09-treatments")
        page.goto("/catalog/treatments/subcision/")
        save("10-treatment-detail", full_page=True)
        page.goto("/catalog/conditions/rolling-scar/")
        save("11-condition-detail", full_page=True)
        context.close()
        browser.close()
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BASE_DIR / "docs/screenshots")
    args = parser.parse_args()

    from tests.browser.chromium import missing_chromium

    problem = missing_chromium()
    if problem:
        print(f"screenshots: {problem}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        prepare_django(Path(tmp) / "db.sqlite3")
        data = sample_data()
        server = start_server()
        try:
            shots = shoot(f"http://{server.host}:{server.port}", data, args.out)
        finally:
            server.terminate()
    for path in shots:
        print(path.relative_to(BASE_DIR) if path.is_relative_to(BASE_DIR) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
