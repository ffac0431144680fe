"""The signed consent (同意書) as a kind of document on the pipeline (design.md §11).

The snapshot puts together the clinic's consent text (catalog.ConsentText, the version shown), what
the catalog holds about the treatment (risks with frequency and duration, regulatory statements),
the plan's sessions, dates and price, the physician who explained it, the right to withdraw, and the
patient's signature as vector strokes drawn into the PDF as SVG.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import disclosure_statements, status_at
from consult.documents import pipeline
from consult.documents.wording import (
    FREQUENCY,
    REGENERATIVE_H,
    REGULATORY,
    UNAPPROVED_HEADINGS,
    format_date,
    yen,
)

TEXT = {
    "ja": {
        "title": "施術についての説明と同意書",
        "tel": "TEL",
        "representative": "代表者",
        "patient": "患者さま",
        "honorific": "様",
        "chart": "カルテ番号",
        "doc_id": "書類番号",
        "preview": "",
        "treatment": "施術",
        "text_version": "説明文の版",
        "purpose": "1. 目的",
        "method": "2. 方法",
        "course": "3. 予想される経過と予定",
        "plan_line": "{sessions}回（{schedule}）",
        "risks": "4. 副作用・リスク（頻度と通常の持続期間）",
        "alternatives": "5. 他の選択肢",
        "no_treatment": "施術を受けないことも選べます。その場合、現在の状態が続く可能性があります。",
        "cost": "6. 費用（税込・自由診療）",
        "regulatory": "7. 承認等の状況",
        "withdraw": "8. 同意の撤回",
        "withdraw_text": "この同意は、施術の前であればいつでも撤回できます。撤回しても、今後の診療で不利益を受けることはありません。"
        "撤回に伴う費用の扱いは、契約書面の定め（クーリング・オフ・中途解約）によります。",
        "no_promise": "効果の現れ方には個人差があり、結果をお約束するものではありません。",
        "explained": "説明した医師",
        "statement": "私は、上記について医師から説明を受け、理解したうえで、この施術を受けることに同意します。",
        "signature": "患者さまの署名",
        "signed_at": "署名日時",
    },
    "en": {
        "title": "Explanation and consent to treatment",
        "tel": "Tel.",
        "representative": "Representative",
        "patient": "Patient",
        "honorific": "",
        "chart": "Chart number",
        "doc_id": "Document number",
        "preview": "",
        "treatment": "Treatment",
        "text_version": "Text version",
        "purpose": "1. Purpose",
        "method": "2. Method",
        "course": "3. Expected course and schedule",
        "plan_line": "{sessions} sessions ({schedule})",
        "risks": "4. Side effects and risks (how often, how long they usually last)",
        "alternatives": "5. Alternatives",
        "no_treatment": "You may also choose not to be treated; your present condition may then continue.",
        "cost": "6. Cost (tax incl., private care)",
        "regulatory": "7. Regulatory status",
        "withdraw": "8. Withdrawing consent",
        "withdraw_text": "You may withdraw this consent at any time before the treatment, without any disadvantage in "
        "your further care. What you pay then follows the contract document (cooling-off, mid-term cancellation).",
        "no_promise": "How results show differs from person to person; no result is promised.",
        "explained": "Explained by physician",
        "statement": "I have been given the explanation above by the physician, have understood it, and consent "
        "to this treatment.",
        "signature": "Patient's signature",
        "signed_at": "Signed on",
    },
}


REGENERATIVE_LINE = {
    "ja": "区分：{cls}／提供計画番号（届出）：{plan}",
    "en": "Class: {cls} / plan number (filed): {plan}",
}


def _when(moment: datetime | None, language: str) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{format_date(local.date(), language)} {local:%H:%M}"


def build(consultation, issued_by, issued_at: datetime, document_id: uuid.UUID) -> dict:
    """The consent signed most recently and not yet issued (consult/plan_views.py issues it at once)."""
    from consult.models import Consent
    from consult.plan_models import signature_path

    consent = (
        Consent.objects.filter(
            plan__consultation=consultation,
            signed_at__isnull=False,
            document__isnull=True,
            withdrawn_at__isnull=True,
        )
        .select_related("treatment", "text", "explained_by", "plan")
        .order_by("-signed_at")
        .first()
    )
    if consent is None:
        raise pipeline.Refused([_("No signed consent is waiting to be issued.")])
    language = consultation.handout_language
    treatment, text, plan = consent.treatment, consent.text, consent.plan
    result = plan.outcome(language)
    item = next((i for i in result.items if i.treatment == treatment.slug), None)
    with translation.override(language):
        clinic = consultation.clinic
        # The handout's sentence without its pointer to the handout's own notice: the statements follow here.
        offering = clinic.offerings.filter(treatment=treatment).select_related("clinic", "treatment").first()
        status_line = REGULATORY[language][status_at(treatment, offering)]
        status_line = status_line.split("。")[0] + "。" if language == "ja" else status_line.split(" See ")[0]
        regulatory = [status_line]
        if treatment.regulatory_status == "regenerative":
            regulatory.append(
                REGENERATIVE_LINE[language].format(
                    cls=treatment.get_regenerative_class_display() or "—",
                    plan=(offering.regenerative_plan_number if offering else "") or "—",
                )
            )
        # The five statements for an unapproved or off-label product, as this clinic gives it.
        statements = disclosure_statements(treatment, offering, language)
        regulatory += [
            f"{UNAPPROVED_HEADINGS[language][s.key]}{'：' if language == 'ja' else ': '}{s.text}"
            for s in statements
            if not s.missing
        ]
        # What the law requires and the clinic has not recorded: the consent is then not issued
        # (`consent_problems`), as a handout with the same gap is not.
        missing = [UNAPPROVED_HEADINGS[language][s.key] for s in statements if s.missing]
        if treatment.regulatory_status == "regenerative" and not (
            offering and offering.regenerative_plan_number
        ):
            missing.append(REGENERATIVE_H[language]["plan"])
        snapshot = {
            "kind": "consent",
            "language": language,
            "document_id": str(document_id),
            "issued_at": timezone.localtime(issued_at).replace(microsecond=0).isoformat(),
            "preview": False,
            "clinic": {
                "name": clinic.name,
                "address": clinic.address,
                "phone": clinic.phone,
                "representative": clinic.representative,
            },
            "patient": consultation.display_name,
            "chart_number": consultation.chart_number,
            "treatment": treatment.name,
            "text_version": text.version,
            "purpose": text.purpose,
            "method": text.method,
            "expected_course": text.expected_course,
            "alternatives": text.alternatives,
            "plan_line": TEXT[language]["plan_line"].format(
                sessions=item.sessions,
                schedule=", ".join(format_date(d, language) for d in item.schedule),
            )
            if item
            else "",
            "cost": yen(item.price_yen) if item else "",
            "risks": [
                {"name": s.name, "frequency": FREQUENCY[language][s.frequency], "duration": s.usual_duration}
                for s in treatment.side_effects.all()
            ],
            "regulatory": regulatory,
            "missing_disclosures": missing,
            "explained_by": consent.explained_by.get_full_name() or consent.explained_by.get_username(),
            "explained_at": _when(consent.explained_at, language),
            "signed_at": _when(consent.signed_at, language),
            "signature_path": signature_path(consent.signature),
            "consent_id": consent.pk,
        }
    return snapshot


def consent_problems(snapshot: dict) -> list[str]:
    """Why this consent must not be issued (empty: it may): a statement the law requires for an
    unapproved or off-label product, or a regenerative treatment's plan number, not yet recorded."""
    if not snapshot["missing_disclosures"]:
        return []
    return [
        _(
            "%(treatment)s: not recorded for this clinic: %(missing)s. The clinic admin records it on the offering."
        )
        % {"treatment": snapshot["treatment"], "missing": ", ".join(snapshot["missing_disclosures"])}
    ]


KIND = pipeline.DocumentKind(
    name="consent",
    path="consents",
    template="plan/consent.html",
    stylesheet="plan/plan.css",
    wording=TEXT,
    build=build,
    card_template="consult/_plan_documents.html",
    problems=consent_problems,
    needs_sign_off=True,
)
