from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from catalog.models import Clinic
from consult.audit import record
from consult.models import AuditEvent, Consultation
from consult.privacy import patient_export


class Command(BaseCommand):
    help = "Export everything stored about one patient (by chart number, within a clinic) as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--clinic", required=True, help="clinic slug")
        parser.add_argument("--chart-number", required=True)
        parser.add_argument(
            "--include-pdfs", action="store_true", help="embed the PDFs of issued documents (base64)"
        )

    def handle(self, *args, clinic: str, chart_number: str, include_pdfs: bool, **options) -> None:
        found = Clinic.objects.filter(slug=clinic).first()
        if found is None:
            self.stderr.write(f"error: unknown clinic {clinic!r}")
            sys.exit(2)
        data = patient_export(found, chart_number, include_pdfs)
        if not data["consultations"]:
            self.stderr.write("error: no consultation with that chart number at this clinic")
            sys.exit(1)
        # One event per consultation, so each record's access log shows the disclosure.
        for consultation in Consultation.objects.filter(
            clinic=found, public_id__in=[c["id"] for c in data["consultations"]]
        ):
            record(
                None,
                AuditEvent.Action.EXPORT,
                consultation=consultation,
                username="manage.py export_patient",
                detail={"what": "patient-data", "pdfs": include_pdfs},
            )
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
