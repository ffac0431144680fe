"""The plan's documents on the one pipeline (design.md §10, §11): the estimate (見積書) and, where the
Specified Commercial Transactions Act applies, the overview (概要書面) and contract (契約書面)
documents.

One snapshot builder serves the three kinds: `plan_snapshot` gathers every figure from the plan's
arithmetic (`consult/plan.py` through `consult/plan_input.py`); the wording is `plan_text.py`, each
kind has its template under `templates/plan/`. `write_previews` is the `plan` command's
`--out-dir`: staff previews, marked as not reviewed, never stored.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import Clinic, Treatment
from consult.documents import pipeline
from consult.documents.plan_text import CLINIC_TERMS, ESTIMATE, METHOD, PURPOSE, SCTA
from consult.documents.wording import format_date, yen
from consult.plan import cooling_off_until, mid_term_fee_cap_yen
from consult.plan_input import ParsedPlan, PlanOutcome

ESTIMATE_VALID_DAYS = 30  # the command's default validity; a plan on a consultation carries its own


def _when(moment: datetime | None, language: str) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{format_date(local.date(), language)}{' ' if language == 'ja' else ', '}{local:%H:%M}"


def _cancel_example(result: PlanOutcome) -> str:
    """The mid-term caps with this contract's own figures: before it starts, and after the first
    session of each treatment (the common case)."""
    total = result.total_yen
    provided = sum(item.price_yen // item.sessions for item in result.items)
    fee = mid_term_fee_cap_yen(total, provided, started=True)
    return SCTA["cancel_example"].format(
        before=yen(mid_term_fee_cap_yen(total, 0, started=False)),
        n=1,
        provided=yen(provided),
        fee=yen(fee),
        due=yen(provided + fee),
        refund=yen(max(0, total - provided - fee)),
    )


def _clinic(clinic: Clinic, language: str) -> dict:
    with translation.override(language):
        return {
            "name": clinic.name,
            "address": clinic.address,
            "phone": clinic.phone,
            "website": clinic.website,
            "representative": clinic.representative,
        }


def plan_snapshot(
    kind: str,
    *,
    clinic: Clinic,
    result: PlanOutcome,
    language: str,
    patient: str,
    chart_number: str,
    physician: str,
    signed_off_at: datetime | None,
    issued_by: str,
    issued_at: datetime,
    document_id: uuid.UUID,
    valid_until: date,
    received: date | None = None,
    preview: bool = False,
) -> dict:
    """Everything one of the plan's documents prints, as plain data. The law's documents are in
    Japanese whatever the consultation's language."""
    language = "ja" if kind != "estimate" else language
    words = ESTIMATE[language] if kind == "estimate" else SCTA
    scope = {
        t.slug: t
        for t in Treatment.objects.filter(slug__in=[i.treatment for i in result.items]).only(
            "slug", "scta_purpose", "scta_method"
        )
    }
    items = []
    for item in result.items:
        first, last = item.schedule[0], item.schedule[-1]
        packs = []
        for pack in item.price.packs:
            text = words["course"] if pack.is_course else words["single"]
            label = text.format(n=pack.sessions, price=yen(pack.price_yen))
            packs.append(label + (words["times"].format(count=pack.count) if pack.count > 1 else ""))
        treatment = scope.get(item.treatment)
        purpose = ""
        if treatment is not None and treatment.in_scta_scope:
            purpose = f"{PURPOSE[treatment.scta_purpose]}（{METHOD[treatment.scta_method]}）"
        items.append(
            {
                "treatment": item.treatment,
                "name": item.name,
                "sessions": item.sessions,
                "schedule": words["schedule_text"].format(
                    first=format_date(first, language),
                    weeks=item.interval_weeks,
                    last=format_date(last, language),
                )
                if item.sessions > 1
                else format_date(first, language),
                "dates": [d.isoformat() for d in item.schedule],
                "per_session": yen(item.per_session_yen),
                "unit_price": yen(item.unit_price_yen),
                "packs": packs,
                "price_yen": item.price_yen,
                "price": yen(item.price_yen),
                "in_scope": item.in_scope,
                "purpose": purpose,
                "is_sample": item.is_sample_price,
            }
        )
    local = timezone.localtime(issued_at).replace(microsecond=0)
    return {
        "kind": kind,
        "language": language,
        "document_id": str(document_id),
        "issued_at": local.isoformat(),
        "date": format_date(result.contract_day, language),
        "preview": preview,
        "clinic": _clinic(clinic, language),
        "patient": patient,
        "chart_number": chart_number,
        "physician": physician,
        "signed_off_display": _when(signed_off_at, language),
        "issued_by": issued_by,
        "contract_day": format_date(result.contract_day, language),
        "valid_until": format_date(valid_until, language),
        "items": items,
        "total_yen": result.total_yen,
        "total": yen(result.total_yen),
        "any_sample": any(i["is_sample"] for i in items),
        "law_applies": result.law.applies,
        "law_reasons": [r.as_dict() for r in result.law.reasons],
        "period": SCTA["period_text"].format(
            start=format_date(result.contract_day, "ja"),
            end=format_date(result.last_session, "ja"),
            days=result.service_period_days,
        ),
        "cancel_example": _cancel_example(result),
        "received": format_date(received, "ja") if received else "",
        "cooling_off_until": format_date(cooling_off_until(received), "ja") if received else "",
        "cooling_off_line": SCTA["cooling_off_until"].format(
            received=format_date(received, "ja"), until=format_date(cooling_off_until(received), "ja")
        )
        if received
        else "",
        "payment": CLINIC_TERMS["payment"],
        "deposit": CLINIC_TERMS["deposit"],
    }


def plan_problems(snapshot: dict) -> list[str]:
    """What keeps the law's documents from being lawful: the business's representative must be named."""
    if snapshot["kind"] != "estimate" and not snapshot["clinic"]["representative"]:
        return [_("The clinic's representative (代表者) is not recorded: add it to the clinic in the admin.")]
    return []


def _kind(name: str, path: str, template: str, wording: dict, build) -> pipeline.DocumentKind:
    return pipeline.DocumentKind(
        name=name,
        path=path,
        template=template,
        stylesheet="plan/plan.css",
        wording=wording,
        build=build,
        card_template="consult/_plan_documents.html",
        issue_perm="consult.change_consultation",
        problems=plan_problems,
        needs_sign_off=True,
    )


def _builder(kind: str):
    """The snapshot builder of `kind` for a consultation's stored plan (consult/plan_models.py).

    Refuses (nothing is issued) without a plan the physician signed as it is now; the law's documents
    also when the law does not apply, and the contract document until the overview document of this
    version of the plan was issued (the overview comes before the contract).
    """

    def build(consultation, issued_by, issued_at: datetime, document_id: uuid.UUID) -> dict:
        from consult.plan_input import PlanError

        plan = getattr(consultation, "plan", None)
        if plan is None or not plan.items.exists():
            raise pipeline.Refused([_("There is no treatment plan yet.")])
        if not plan.is_signed:
            raise pipeline.Refused([_("A physician has not signed the treatment plan as it is now.")])
        try:
            result = plan.outcome(consultation.handout_language)
        except PlanError as exc:
            raise pipeline.Refused([str(exc)]) from None
        if kind != "estimate" and not result.law.applies:
            raise pipeline.Refused(
                [
                    _(
                        "The Specified Commercial Transactions Act does not apply to this plan: no overview "
                        "or contract document is needed."
                    )
                ]
            )
        if kind == "scta-contract" and not plan.issued("scta-overview"):
            raise pipeline.Refused(
                [
                    _(
                        "Issue the overview document (概要書面) first: the patient receives it before the contract."
                    )
                ]
            )
        snapshot = plan_snapshot(
            kind,
            clinic=consultation.clinic,
            result=result,
            language=consultation.handout_language,
            patient=consultation.display_name,
            chart_number=consultation.chart_number,
            physician=plan.signer_name,
            signed_off_at=plan.signed_at,
            issued_by=(issued_by.get_full_name() or issued_by.get_username()) if issued_by else "",
            issued_at=issued_at,
            document_id=document_id,
            valid_until=plan.valid_until,
            received=plan.contract_received_on,
        )
        snapshot["plan_version"] = plan.version
        return snapshot

    return build


ESTIMATE_KIND = _kind("estimate", "estimates", "plan/estimate.html", ESTIMATE, _builder("estimate"))
OVERVIEW_KIND = _kind(
    "scta-overview", "overview-documents", "plan/overview.html", {"ja": SCTA}, _builder("scta-overview")
)
CONTRACT_KIND = _kind(
    "scta-contract", "contract-documents", "plan/contract.html", {"ja": SCTA}, _builder("scta-contract")
)
KINDS = (ESTIMATE_KIND, OVERVIEW_KIND, CONTRACT_KIND)


def write_previews(parsed: ParsedPlan, result: PlanOutcome, out_dir: Path) -> list[str]:
    """The `plan` command's PDFs: the estimate and, where the law applies, the overview and contract
    documents, as staff previews. Returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    kinds = [ESTIMATE_KIND] + ([OVERVIEW_KIND, CONTRACT_KIND] if result.law.applies else [])
    issued_at = timezone.now()
    written = []
    for kind in kinds:
        document_id = uuid.uuid4()
        snapshot = plan_snapshot(
            kind.name,
            clinic=parsed.clinic,
            result=result,
            language=parsed.language,
            patient="",
            chart_number="",
            physician="",
            signed_off_at=None,
            issued_by="",
            issued_at=issued_at,
            document_id=document_id,
            valid_until=parsed.today + timedelta(days=ESTIMATE_VALID_DAYS),
            received=parsed.received,
            preview=True,
        )
        path = out_dir / f"{kind.name}.pdf"
        path.write_bytes(pipeline.render(kind, snapshot, str(document_id)))
        written.append(str(path))
    return written
