"""Valid HTML: the Nu HTML Checker (npm package vnu-jar, run with Java) on every main page, as rendered.

One checker run for all pages keeps this to a few seconds (most of it is the JVM starting).
Accessibility (axe-core) needs a real browser: tests/browser/test_accessibility.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from consult.models import Consultation, Document
from tests.browser.scenes import consultation_with_options
from tests.conftest import sign_off

VNU_JAR = settings.BASE_DIR / "node_modules/vnu-jar/build/dist/vnu.jar"

# The app writes htmx's attributes as data-hx-*, which htmx reads too and which is valid HTML;
# a bare hx-* attribute is reported like any other error.


def vnu_command() -> list[str]:
    java = shutil.which("java")
    problems = []
    if java is None:
        problems.append("`java` is not on PATH (Debian package default-jre-headless)")
    if not VNU_JAR.is_file():
        problems.append(f"{VNU_JAR.relative_to(settings.BASE_DIR)} is missing (run `npm ci` in the project)")
    if problems:
        pytest.fail("The HTML check needs the Nu HTML Checker: " + "; ".join(problems) + ".", pytrace=False)
    # A larger thread stack (the checker overflows the default on big pages), and a JVM tuned to
    # start fast: the run is short.
    jvm = "-Xss4m -XX:+UseSerialGC -XX:TieredStopAtLevel=1".split()
    return [java, *jvm, "-jar", str(VNU_JAR), "--errors-only", "--no-langdetect", "--format", "json"]


# Representative catalog pages: a parent and a child condition, and one treatment of each
# regulatory kind (approved device, unapproved product with its five statements, regenerative medicine).
CONDITIONS = ("acne-scar", "rolling-scar", "dullness")
TREATMENTS = ("subcision", "co2-fractional", "exosome", "fibroblast-transplant")


def pages(
    client: Client,
    users: dict,
    consultation: Consultation,
    empty: Consultation,
    contraindicated: Consultation | None = None,
) -> dict[str, str]:
    """name -> HTML, fetched as the user who would see the page."""
    fetched: dict[str, str] = {}
    logged_in = [None]

    def get(name: str, url: str, user=None, language: str = "ja") -> None:
        if user != logged_in[0]:
            client.logout()
            if user is not None:
                client.force_login(user)
            logged_in[0] = user
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(url)
        assert response.status_code == 200, f"{url} as {user}: {response.status_code}"
        fetched[name] = response.content.decode()

    get("login", "/accounts/login/")
    get("login-en", "/accounts/login/", language="en")
    counselor = users["counselor"]
    get("consultation-list", "/consultations/", counselor)
    get("consultation-new", "/consultations/new/", counselor)
    get("workspace-empty", f"/consultations/{empty.public_id}/", counselor)
    for language in ("ja", "en"):
        get(f"workspace-{language}", f"/consultations/{consultation.public_id}/", counselor, language)
        get(f"conditions-{language}", "/catalog/conditions/", counselor, language)
        get(f"treatments-{language}", "/catalog/treatments/", counselor, language)
    for slug in CONDITIONS:
        get(f"condition-{slug}", f"/catalog/conditions/{slug}/", counselor)
    for slug in TREATMENTS:
        get(f"treatment-{slug}", f"/catalog/treatments/{slug}/", counselor)
    get("treatment-exosome-en", "/catalog/treatments/exosome/", counselor, "en")
    get("workspace-physician", f"/consultations/{consultation.public_id}/", users["physician"])
    if contraindicated is not None:
        # A blocked option (its override form) and the physician's sign-off panel.
        get("workspace-contraindicated", f"/consultations/{contraindicated.public_id}/", users["physician"])
        get("consultation-list-unsigned", "/consultations/?review=unsigned", counselor)
    get("audit-log", "/audit/", users["clinic_admin"])
    # Presentation mode: the signed comparison, and general information before a sign-off.
    get("present-signed", f"/consultations/{consultation.public_id}/present/", counselor)
    get("present-general", f"/consultations/{empty.public_id}/present/", counselor)
    handout = consultation.documents.first()
    if handout is not None:
        get(
            "handout-share",
            f"/consultations/{consultation.public_id}/handouts/{handout.public_id}/share/",
            counselor,
        )
    return fetched


def test_main_pages_are_valid_html(client, counselor, physician, clinic_admin, demo_clinic, tmp_path):
    consultation = consultation_with_options(counselor, demo_clinic, display_name="山田 花子")
    # An issued handout, so the workspace shows the list of handouts (the PDF itself is not needed).
    Document.objects.create(
        consultation=consultation,
        issued_by=counselor,
        language="ja",
        snapshot={},
        pdf=b"%PDF-1.7",
        sha256="0" * 64,
    )
    empty = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="A-0001")
    # Rejuran with a fish allergy: blocked until a physician overrides it; another one signed off.
    contraindicated = consultation_with_options(
        counselor, demo_clinic, chart_number="A-0002", options=("subcision", "rejuran")
    )
    sign_off(consultation, physician)
    users = {"counselor": counselor, "physician": physician, "clinic_admin": clinic_admin}
    documents = pages(client, users, consultation, empty, contraindicated)
    # A broken page in the same run shows the checker really reports errors, bare hx-* included.
    documents["canary"] = '<!DOCTYPE html><html lang="en"><title>x</title><p hx-post="/x"><form></form></p>'
    for name, html in documents.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")

    messages = run_vnu(sorted(tmp_path.glob("*.html")))
    for m in messages:
        m["page"] = m.get("url", "?").rsplit("/", 1)[-1].removesuffix(".html")
    canary = [m["message"] for m in messages if m["page"] == "canary"]
    assert any("“p” end tag" in m for m in canary), canary
    assert "Attribute “hx-post” not allowed on element “p” at this point." in canary
    errors = [
        f"{m['page']}.html:{m.get('lastLine', '?')}: {m.get('message')}\n    {(m.get('extract') or '').strip()[:160]}"
        for m in messages
        if m["page"] != "canary"
    ]
    assert not errors, f"{len(errors)} HTML error(s):\n" + "\n".join(errors)


def run_vnu(files: list[Path]) -> list[dict]:
    run = subprocess.run([*vnu_command(), *map(str, files)], capture_output=True, text=True, timeout=300)
    try:
        return json.loads(run.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"The Nu HTML Checker did not report JSON (exit {run.returncode}):\n{run.stderr[-2000:]}")
