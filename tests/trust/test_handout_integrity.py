"""An issued handout never changes; a download serves exactly the bytes issued, or says why not."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from consult.models import AuditEvent, Consultation, Document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 issued bytes"


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    return Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="I-1")


@pytest.fixture
def handout(consultation, counselor) -> Document:
    return Document.objects.create(
        consultation=consultation,
        issued_by=counselor,
        language="ja",
        snapshot={"chart_number": "I-1"},
        pdf=PDF,
        sha256=hashlib.sha256(PDF).hexdigest(),
    )


def url(handout: Document) -> str:
    return f"/consultations/{handout.consultation.public_id}/handouts/{handout.public_id}.pdf"


@pytest.mark.parametrize(
    "change", [{"pdf": b"%PDF-forged"}, {"sha256": "0" * 64}, {"snapshot": {}}, {"language": "en"}]
)
def test_no_queryset_update_changes_an_issued_handout(handout, change):
    with pytest.raises(PermissionError):
        Document.objects.filter(pk=handout.pk).update(**change)
    stored = Document.objects.get(pk=handout.pk)
    assert bytes(stored.pdf) == PDF and stored.snapshot == {"chart_number": "I-1"} and stored.language == "ja"


def test_no_model_save_or_bulk_path_changes_an_issued_handout(handout):
    handout.pdf = b"%PDF-forged"
    with pytest.raises(PermissionError):
        handout.save()
    with pytest.raises(PermissionError):
        Document.objects.bulk_update([handout], ["pdf"])
    assert bytes(Document.objects.get(pk=handout.pk).pdf) == PDF


def test_the_issue_time_may_still_be_aligned_with_the_printed_one(handout):
    moment = timezone.now().replace(microsecond=0) - timedelta(seconds=5)
    Document.objects.filter(pk=handout.pk).update(issued_at=moment)
    assert Document.objects.get(pk=handout.pk).issued_at == moment


def test_a_handout_altered_in_the_database_is_not_served(counselor_client, handout):
    with connection.cursor() as cursor:  # behind the application's back
        cursor.execute(
            f"UPDATE {Document._meta.db_table} SET pdf = %s WHERE id = %s", [b"%PDF-forged", handout.pk]
        )
    response = counselor_client.get(url(handout))
    assert response.status_code == 409
    assert b"%PDF" not in response.content
    assert "SHA-256" in response.content.decode()
    event = AuditEvent.objects.get(action="download-handout")
    assert event.detail == {"kind": "handout", "served": False, "reason": "sha256-mismatch"}


def test_an_intact_handout_is_served(counselor_client, handout):
    response = counselor_client.get(url(handout))
    assert response.status_code == 200 and response.content == PDF


def test_an_anonymised_handout_is_gone_with_a_clear_message(counselor_client, handout, consultation):
    Consultation.objects.filter(pk=consultation.pk).update(
        created_at=timezone.now() - timedelta(days=6 * 365)
    )
    call_command("anonymise_old", stdout=io.StringIO())
    stored = Document.objects.get(pk=handout.pk)
    assert bytes(stored.pdf) == b"" and "chart_number" not in stored.snapshot
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()  # the fingerprint stays as evidence
    for language, words in (("en", "anonymised"), ("ja", "匿名化")):
        response = counselor_client.get(url(handout), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 410
        assert response["Content-Type"].startswith("text/plain")
        assert words in response.content.decode()
