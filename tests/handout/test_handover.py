"""Printing and handing over (issue 16 item 4, issue 12 item 4): a second issue of an unchanged
comparison returns the one already issued, also when two posts arrive at once; the PDF opens in the
browser; a QR code's signed link serves that one document until it expires, and every use is audited."""

from __future__ import annotations

import html
import re
import subprocess
import threading
import time

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.db import connection
from django.test import Client

from catalog.models import Condition, Membership, Treatment
from consult.documents import links
from consult.models import AuditEvent, ChosenOption, Concern, Consultation, Document
from tests.conftest import make_user, sign_off
from tests.handout.test_issue_download import HX, issue_url

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _consultation(counselor, clinic) -> Consultation:
    consultation = Consultation.objects.create(
        clinic=clinic, counselor=counselor, chart_number="H-1", handout_language="ja"
    )
    Concern.objects.create(
        consultation=consultation, condition=Condition.objects.get(slug="rolling-scar"), severity=3, areas=[]
    )
    ChosenOption.objects.create(consultation=consultation, treatment=Treatment.objects.get(slug="subcision"))
    return consultation


@pytest.fixture
def consultation(counselor, demo_clinic, physician) -> Consultation:
    consultation = _consultation(counselor, demo_clinic)
    sign_off(consultation, physician)
    return consultation


def test_a_second_issue_of_the_unchanged_comparison_returns_the_first(counselor_client, consultation):
    first = counselor_client.post(issue_url(consultation), **HX)
    assert first.status_code == 200 and "資料を発行しました" in first.content.decode()
    again = counselor_client.post(issue_url(consultation), **HX)
    assert again.status_code == 200
    assert "変更がないため" in again.content.decode()
    document = consultation.documents.get()  # one document, not two
    assert str(document.public_id) in again.content.decode()
    assert AuditEvent.objects.filter(action="issue-handout").count() == 1


def test_a_changed_language_is_a_new_document(counselor_client, consultation):
    counselor_client.post(issue_url(consultation), **HX)
    Consultation.objects.filter(pk=consultation.pk).update(handout_language="en")
    counselor_client.post(issue_url(consultation), **HX)
    assert sorted(consultation.documents.values_list("language", flat=True)) == ["en", "ja"]


def _issue(client: Client, url: str, barrier: threading.Barrier, results: list) -> None:
    try:
        barrier.wait(timeout=10)
        results.append(client.post(url, **HX).status_code)
    finally:
        connection.close()


@pytest.mark.parametrize("attempt", range(2))
def test_two_simultaneous_issues_make_one_document(committed_db, attempt):
    from catalog.models import Clinic

    clinic = Clinic.objects.get(slug="demo-clinic")
    alice = make_user("alice", clinic, Membership.Role.COUNSELOR)
    bob = make_user("bob", clinic, Membership.Role.PHYSICIAN)
    consultation = _consultation(alice, clinic)
    sign_off(consultation, bob)
    clients = []
    for user in (alice, bob):
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(2)
    results: list = []
    threads = [
        threading.Thread(target=_issue, args=(c, issue_url(consultation), barrier, results)) for c in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == [200, 200]
    assert Document.objects.filter(consultation=consultation).count() == 1
    assert AuditEvent.objects.filter(action="issue-handout", consultation=consultation).count() == 1


def test_the_pdf_opens_in_the_browser_and_has_a_download_link(counselor_client, consultation):
    card = counselor_client.post(issue_url(consultation), **HX).content.decode()
    document = consultation.documents.get()
    base = f"/consultations/{consultation.public_id}/handouts/{document.public_id}"
    assert f'href="{base}/"' in card and f'href="{base}.pdf"' in card
    response = counselor_client.get(f"{base}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; ")
    assert response.content == bytes(document.pdf)


def _link(counselor_client, consultation) -> tuple[Document, str]:
    counselor_client.post(issue_url(consultation), **HX)
    document = consultation.documents.get()
    page = counselor_client.get(
        f"/consultations/{consultation.public_id}/handouts/{document.public_id}/share/"
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body
    url = html.unescape(re.search(r'<p class="help share-url">([^<]+)</p>', body).group(1))
    return document, url.removeprefix("http://testserver")


def test_the_qr_link_serves_that_document_without_an_account(counselor_client, consultation):
    document, path = _link(counselor_client, consultation)
    response = Client().get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; ")
    assert response.content == bytes(document.pdf)
    event = AuditEvent.objects.filter(action="download-handout").latest("id")
    assert event.object_id == str(document.public_id) and event.detail["via"] == "link"
    assert event.user is None


def test_an_expired_link_is_refused_and_audited(consultation, counselor_client, settings):
    document, _path = _link(counselor_client, consultation)
    eight_days_ago = signing.b62_encode(int(time.time()) - 8 * 86400)
    token = signing.Signer(salt=links.SALT).sign(f"{document.public_id.hex}:{eight_days_ago}")
    response = Client().get(f"/d/{token}/")
    assert response.status_code == 410
    assert "期限" in response.content.decode()
    event = AuditEvent.objects.filter(action="download-handout").latest("id")
    assert event.detail["reason"] == "link-expired" and event.object_id == str(document.public_id)
    # The same age is fine when the clinic allows longer links.
    settings.DOCUMENT_LINK_DAYS = 10
    assert Client().get(f"/d/{token}/").status_code == 200


def test_a_tampered_link_serves_nothing(consultation, counselor_client, demo_clinic, counselor, physician):
    document, path = _link(counselor_client, consultation)
    other = _consultation(counselor, demo_clinic)
    sign_off(other, physician)
    counselor_client.post(issue_url(other), **HX)
    other_id = other.documents.get().public_id.hex
    tampered = path.replace(document.public_id.hex, other_id)
    response = Client().get(tampered)
    assert response.status_code == 404
    assert b"%PDF" not in response.content
    event = AuditEvent.objects.latest("id")
    assert event.action == "download-document" and event.detail == {"served": False, "reason": "link-invalid"}


def test_staff_names_are_printed_in_the_handout_language(
    counselor_client, counselor, physician, demo_clinic, tmp_path
):
    User.objects.filter(pk=counselor.pk).update(first_name="花子", last_name="佐藤")
    Membership.objects.filter(user=counselor, clinic=demo_clinic).update(name_en="Hanako Sato")
    consultation = _consultation(counselor, demo_clinic)
    Consultation.objects.filter(pk=consultation.pk).update(handout_language="en")
    sign_off(consultation, physician)
    counselor_client.post(issue_url(consultation), **HX)
    document = consultation.documents.get()
    path = tmp_path / "en.pdf"
    path.write_bytes(bytes(document.pdf))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Hanako Sato" in text and "佐藤" not in text
    # The physician's account has no English name: the full name (or user name) as before.
    assert (physician.get_full_name() or physician.get_username()) in text
