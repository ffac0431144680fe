"""Issuing a handout from the workspace and downloading it again (consult/documents/views.py)."""

from __future__ import annotations

import hashlib
import re

import pytest

from catalog.models import Condition, Treatment
from consult.documents import handout as handout_kind
from consult.documents import pipeline
from consult.documents.handout import render_handout
from consult.models import AuditEvent, ChosenOption, Concern, Consultation, Document
from tests.conftest import sign_off

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    consultation = Consultation.objects.create(
        clinic=demo_clinic,
        counselor=counselor,
        chart_number="A-2001",
        display_name="テスト 花子",
        handout_language="ja",
        notes="結婚式の予定あり",
    )
    Concern.objects.create(
        consultation=consultation,
        condition=Condition.objects.get(slug="rolling-scar"),
        severity=3,
        areas=["cheek-left"],
    )
    ChosenOption.objects.create(consultation=consultation, treatment=Treatment.objects.get(slug="subcision"))
    return consultation


def issue_url(consultation) -> str:
    return f"/consultations/{consultation.public_id}/handouts/"


def download_url(consultation, handout) -> str:
    return f"/consultations/{consultation.public_id}/handouts/{handout.public_id}.pdf"


@pytest.fixture
def issued(counselor_client, consultation, physician) -> Document:
    sign_off(consultation, physician)
    response = counselor_client.post(issue_url(consultation))
    assert response.status_code == 302
    assert response["Location"] == f"/consultations/{consultation.public_id}/"
    return consultation.documents.get()


@pytest.fixture
def stored(consultation, counselor) -> Document:
    """A stored handout without rendering one, for the access tests."""
    return Document.objects.create(
        consultation=consultation,
        issued_by=counselor,
        language="ja",
        snapshot={},
        pdf=b"%PDF-1.7 test",
        sha256=hashlib.sha256(b"%PDF-1.7 test").hexdigest(),
    )


def test_it_issues_a_handout_with_snapshot_pdf_and_hash(issued, consultation, counselor):
    assert issued.issued_by == counselor
    assert issued.language == "ja"
    assert bytes(issued.pdf).startswith(b"%PDF-")
    assert issued.sha256 == hashlib.sha256(bytes(issued.pdf)).hexdigest()
    assert issued.snapshot["handout_id"] == str(issued.public_id)
    assert issued.snapshot["chart_number"] == "A-2001"
    assert [o["slug"] for o in issued.snapshot["options"]] == ["subcision"]
    assert issued.snapshot["options_source"] == "chosen"
    event = AuditEvent.objects.get(action="issue-handout")
    assert event.consultation == consultation and event.object_id == str(issued.public_id)
    assert event.username == "counselor"


def test_download_returns_the_stored_bytes_as_an_attachment(counselor_client, issued, consultation):
    response = counselor_client.get(download_url(consultation, issued))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert re.fullmatch(
        rf'attachment; filename="handout-\d{{4}}-\d{{2}}-\d{{2}}-{issued.public_id.hex[:8]}\.pdf"',
        response["Content-Disposition"],
    )
    assert response.content == bytes(issued.pdf)
    assert AuditEvent.objects.filter(action="download-handout", consultation=consultation).count() == 1


def test_a_handout_stays_byte_identical_after_catalog_and_consultation_change(
    counselor_client, issued, consultation
):
    original = bytes(issued.pdf)
    Treatment.objects.filter(slug="subcision").update(name_ja="名前を変えた施術", summary_ja="変更後の説明")
    consultation.notes = "変更後のメモ"
    consultation.display_name = "別の名前"
    consultation.save()
    ChosenOption.objects.create(
        consultation=consultation, treatment=Treatment.objects.get(slug="dermapen-4"), position=1
    )
    response = counselor_client.get(download_url(consultation, issued))
    assert response.content == original
    # Rendering the stored snapshot again needs no database and gives the same bytes.
    issued.refresh_from_db()
    assert render_handout(issued.snapshot) == original


def test_htmx_issue_returns_the_handout_card_with_the_new_download_link(
    counselor_client, consultation, physician
):
    sign_off(consultation, physician)
    response = counselor_client.post(issue_url(consultation), **HX)
    assert response.status_code == 200
    body = response.content.decode()
    handout = consultation.documents.get()
    assert 'id="handouts"' in body and "<html" not in body
    assert download_url(consultation, handout) in body
    assert "csrfmiddlewaretoken" in body


def test_the_workspace_lists_issued_handouts(counselor_client, stored, consultation, physician):
    sign_off(consultation, physician)
    body = counselor_client.get(f"/consultations/{consultation.public_id}/").content.decode()
    assert download_url(consultation, stored) in body
    assert f'action="{issue_url(consultation)}"' in body


def test_another_clinics_user_gets_404(client, outsider, stored, consultation):
    client.force_login(outsider)
    assert client.post(issue_url(consultation)).status_code == 404
    assert client.get(download_url(consultation, stored)).status_code == 404
    assert consultation.documents.count() == 1


def test_anonymous_users_are_sent_to_login(client, stored, consultation):
    for response in (client.post(issue_url(consultation)), client.get(download_url(consultation, stored))):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_view_only_user_can_download_but_not_issue(client, clinic_admin, stored, consultation):
    client.force_login(clinic_admin)
    assert client.post(issue_url(consultation)).status_code == 403
    assert client.get(download_url(consultation, stored)).content == b"%PDF-1.7 test"


def test_issuing_needs_post_and_unknown_handouts_are_not_found(
    counselor_client, stored, consultation, counselor, demo_clinic
):
    assert counselor_client.get(issue_url(consultation)).status_code == 405
    other = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="A-2002")
    # A handout is only reachable through its own consultation.
    assert counselor_client.get(download_url(other, stored)).status_code == 404
    missing = f"/consultations/{consultation.public_id}/handouts/00000000-0000-4000-8000-000000000000.pdf"
    assert counselor_client.get(missing).status_code == 404


def test_without_chosen_options_nothing_is_issued(counselor_client, counselor, consultation, physician):
    """The handout lists the physician's selection: no fallback to the engine's first suggestions
    (the `handout` command's staff preview keeps that default, tests/handout/test_command.py)."""
    consultation.options.all().delete()
    sign_off(consultation, physician)
    with pytest.raises(pipeline.Refused) as refused:
        pipeline.issue(handout_kind.KIND, consultation.reloaded(), counselor)
    assert "比較する選択肢がありません" in refused.value.problems[0]
    response = counselor_client.post(issue_url(consultation), **HX)
    assert response.status_code == 422
    assert "比較する選択肢がありません" in response.content.decode()
    assert not consultation.documents.exists()


def test_a_handout_missing_a_required_disclosure_is_not_issued(counselor_client, consultation, physician):
    from catalog.models import Offering

    ChosenOption.objects.create(
        consultation=consultation, treatment=Treatment.objects.get(slug="dermapen-4"), position=1
    )
    ChosenOption.objects.create(
        consultation=consultation, treatment=Treatment.objects.get(slug="fibroblast-transplant"), position=2
    )
    Treatment.objects.filter(slug="dermapen-4").update(foreign_safety_info_ja="")
    Offering.objects.filter(clinic=consultation.clinic, treatment__slug="fibroblast-transplant").update(
        regenerative_plan_number=""
    )
    sign_off(consultation, physician)
    response = counselor_client.post(issue_url(consultation), **HX)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "ダーマペン4" in body and "諸外国" in body
    assert "線維芽細胞" in body and "提供計画番号" in body
    assert not consultation.documents.exists()
    assert not AuditEvent.objects.filter(action="issue-handout").exists()
    # Without htmx: back to the workspace with the message.
    response = counselor_client.post(issue_url(consultation), follow=True)
    assert "未発行" in response.content.decode()
    assert not consultation.documents.exists()


def test_the_handout_command_refuses_a_profile_whose_option_lacks_a_disclosure(tmp_path, db, capsys):
    import json

    from django.core.management import call_command

    Treatment.objects.filter(slug="dermapen-4").update(foreign_safety_info_ja="")
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"concerns": [{"condition": "rolling-scar", "severity": 3}]}))
    with pytest.raises(SystemExit) as exit_:
        call_command("handout", profile=str(profile), out=str(tmp_path / "x.pdf"), options="dermapen-4")
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "ダーマペン4" in error and "諸外国" in error
    assert not (tmp_path / "x.pdf").exists()
