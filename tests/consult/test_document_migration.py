"""Handouts issued before the document pipeline (consult.Handout) are documents of the kind "handout"
after migration 0005, and still download byte-identical at their old address."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consult.models import Document

BEFORE = [("consult", "0004_staff_change_action")]
AFTER = [("consult", "0005_documents")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_handout_issued_before_the_pipeline_downloads_byte_identical(client, counselor, demo_clinic):
    old = _migrate(BEFORE)
    try:
        consultation = old.get_model("consult", "Consultation").objects.create(
            clinic_id=demo_clinic.pk, counselor_id=counselor.pk, chart_number="OLD-1"
        )
        pdf = b"%PDF-1.7 issued before the pipeline \x00\xff"
        handout_id = uuid.uuid4()
        old.get_model("consult", "Handout").objects.create(
            public_id=handout_id,
            consultation=consultation,
            issued_by_id=counselor.pk,
            language="ja",
            snapshot={"handout_id": str(handout_id)},
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
    finally:
        _migrate(AFTER)
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    document = Document.objects.get(public_id=handout_id)
    assert document.kind == "handout"
    assert bytes(document.pdf) == pdf and document.pdf_matches_sha256()
    client.force_login(counselor)
    response = client.get(f"/consultations/{consultation.public_id}/handouts/{handout_id}.pdf")
    assert response.status_code == 200
    assert response.content == pdf
