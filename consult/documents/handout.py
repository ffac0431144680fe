"""The options handout (design.md §7): the first kind of document on the pipeline.

`build_snapshot` gathers every text and number the handout shows, in the handout language, into a
JSON-serialisable dict: the facts about each option come from the engine's result (one pass:
consultation → profile → engine → snapshot); the catalog adds only its texts. The command line
(`manage.py handout`) goes through `build_snapshot_for_profile`, so a profile and a consultation with
the same data print the same handout.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.db.models import Max, Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import (
    Clinic,
    Condition,
    HomeCareTip,
    Indication,
    Nutrient,
    Offering,
    Physician,
    SideEffect,
    Source,
    Treatment,
    disclosure_statements,
    figure_of,
    staff_name,
    status_at,
)
from catalog.regulatory import DEMO_MARK
from consult.documents import pipeline
from consult.documents.handout_text import TEXT
from consult.documents.timeline import timeline_geometry
from consult.documents.wording import (
    AREA_NAMES,
    CATEGORY,
    CAUTION_SHORT,
    EVIDENCE,
    EVIDENCE_ORDER,
    EVIDENCE_SHORT,
    FREQUENCY,
    PAIN,
    REGENERATIVE_CLASS,
    REGENERATIVE_H,
    REGULATORY,
    REGULATORY_SHORT,
    SEVERITY_OTHER,
    SEVERITY_SCAR,
    TOPIC,
    UNAPPROVED_HEADINGS,
    figure_text,
    figure_uncertainty_text,
    format_date,
    range_text,
    yen,
    yen_range,
)
from consult.engine import Compared, Profile, lineage, suggest
from consult.facts import catalog_facts
from consult.models import FACE_AREA_SLUGS, AuditEvent, Consultation
from consult.profile import ParsedProfile
from consult.safety import absolute_contraindications, uncovered

SNAPSHOT_VERSION = 1
DEFAULT_OPTION_COUNT = 3


def build_snapshot(
    consultation: Consultation, issued_by, issued_at: datetime, handout_id: uuid.UUID | None = None
) -> dict:
    """Everything the handout for this consultation (read `with_details()`) shows, in its handout
    language: the options the physician signed off, in their order (never a fallback selection)."""
    language = consultation.handout_language
    today = timezone.localtime(issued_at).date()
    counselor = consultation.counselor
    clinic = consultation.clinic
    overrides = {
        o.treatment.slug: {
            "flags": list(o.override_flags),
            "reason": o.override_reason,
            "by": staff_name(o.override_by, clinic, language) if o.override_by else "",
            "at": o.override_at,
        }
        for o in consultation.options.all()
        if o.override_at is not None
    }
    signed = consultation.is_signed_off
    return _build(
        clinic=consultation.clinic,
        profile=consultation.profile(today),
        language=language,
        chosen=consultation.option_slugs,
        handout_id=handout_id or uuid.uuid4(),
        header={
            "patient": consultation.display_name,
            "chart_number": consultation.chart_number,
            # Staff names in the handout's language where the account has one (Membership.name_en).
            "counselor": staff_name(counselor, clinic, language),
            "issued_by": staff_name(issued_by, clinic, language),
            "signed_off_by": staff_name(consultation.reviewed_by, clinic, language)
            if signed and consultation.reviewed_by
            else "",
            "signed_off_at": consultation.reviewed_at if signed else None,
            # The signer's qualification (IPDASi: authors' credentials), from the clinic's physicians.
            "signed_off_title": physician_title(consultation.reviewed_by, clinic, language) if signed else "",
        },
        notes=consultation.notes,
        issued_at=issued_at,
        overrides=overrides,
    )


def build_snapshot_for_profile(parsed: ParsedProfile, option_slugs: list[str], issued_at: datetime) -> dict:
    """The same handout for a PROFILE.json (design.md §5), without a saved consultation: a staff
    preview that no physician has reviewed, and says so (design.md §9)."""
    return _build(
        clinic=parsed.clinic,
        profile=parsed.profile,
        language=parsed.language,
        chosen=tuple(option_slugs),
        handout_id=uuid.uuid4(),
        header={
            "patient": parsed.patient_name,
            "chart_number": parsed.chart_number,
            "counselor": parsed.counselor,
            "issued_by": parsed.counselor,
            "signed_off_by": "",
            "signed_off_at": None,
            "signed_off_title": "",
        },
        notes=parsed.notes,
        issued_at=issued_at,
        preview=True,
    )


def _build(
    *,
    clinic: Clinic,
    profile: Profile,
    language: str,
    chosen: tuple[str, ...],
    handout_id: uuid.UUID,
    header: dict,
    notes: str,
    issued_at: datetime,
    overrides: dict | None = None,
    preview: bool = False,
) -> dict:
    """The snapshot. `overrides`: slug -> a physician's override of absolute contraindications.
    `preview` (the command line): not reviewed by a physician; without chosen options it lists the
    first suggestions. A consultation's handout lists only the chosen options."""
    issued_local = timezone.localtime(issued_at).replace(microsecond=0)
    today = profile.today or issued_local.date()
    with translation.override(language):
        facts = catalog_facts(clinic, language)
        result = suggest(profile, facts, language, compare=chosen)
        source, compared = "chosen", result.compared
        if not compared and preview:
            source = "suggested"
            compared = tuple(
                Compared(s.option, suggestion=s) for s in result.suggestions[:DEFAULT_OPTION_COUNT]
            )
        concerns = _concerns(profile, facts.condition_parent, language)
        options = _options(clinic, compared, language)
        # Not named when left out for a medical answer (an absolute contraindication): a pregnant
        # patient's paper names no retinoid at all; she reads that some were left out for her answers.
        shown = {o["slug"] for o in options}
        left_out = [e for e in result.excluded if e.treatment not in shown]
        excluded = [
            {"slug": e.treatment, "name": e.name, "reasons": [r.text for r in e.reasons]}
            for e in left_out
            if not any(r.code == "contraindication" for r in e.reasons)
        ]
        excluded_medical = len(left_out) - len(excluded)
        for option in options:
            _mark_contraindications(option, profile, facts, (overrides or {}).get(option["slug"]), language)
        home_care, home_sources = _home_care(concerns, facts.condition_parent, profile.flags, language)
        catalog_date = Treatment.objects.aggregate(d=Max("reviewed_on"))["d"]
        sources = _sources(options, concerns, home_sources)
        references = _references(sources)
        clinic_data = {
            "name": clinic.name,
            "address": clinic.address,
            "phone": clinic.phone,
            "website": clinic.website,
            "is_demo": clinic.is_demo,
            "funding_statement": _funding_statement(clinic, language),
        }
    text = TEXT[language]
    event = None
    if profile.event_date is not None and profile.event_date >= today:
        display = format_date(profile.event_date, language)
        event = {
            "date": profile.event_date.isoformat(),
            "display": display,
            "days_from_issue": (profile.event_date - today).days,
            "note": text["timeline_event"].format(d=display),
        }
    return {
        "version": SNAPSHOT_VERSION,
        "handout_id": str(handout_id),
        "language": language,
        "issued_at": issued_local.isoformat(),
        "date": format_date(issued_local.date(), language),
        "clinic": clinic_data,
        "patient": header["patient"],
        "chart_number": header["chart_number"],
        "counselor": header["counselor"],
        "issued_by": header["issued_by"],
        # Who signed off the version printed, and when (design.md §9); empty in a staff preview.
        "preview": preview,
        "signed_off_by": header["signed_off_by"],
        "signed_off_at": _iso(header["signed_off_at"]),
        "signed_off_display": _when(header["signed_off_at"], language),
        "concerns": concerns,
        "areas": sorted({a for c in concerns for a in c["areas"]}, key=FACE_AREA_SLUGS.index),
        "options_source": source,
        "options": options,
        # Treatments for her concerns that are not options, and why (snapshot key added later: an
        # older snapshot has none and prints no such list).
        "excluded": excluded,
        "excluded_medical": excluded_medical,
        "event": event,
        "home_care": home_care,
        "notes": notes,
        "catalog_reviewed_on": catalog_date.isoformat() if catalog_date else "",
        "catalog_text": text["catalog"].format(
            d=format_date(catalog_date, language) if catalog_date else "—"
        ),
        "sources": sources,
        # Keys added for issue 14 (IPDASi); an older snapshot has none and prints without them.
        "references": references,
        "no_treatment": _no_treatment(concerns, language),
        "about": _about(options, header, clinic_data, preview, language),
    }


def _funding_statement(clinic: Clinic, language: str) -> str:
    """Who paid for making the handout, in the handout's own language (never another language's text
    as a fallback); a demo clinic's is marked fictional like its other per-clinic statements."""
    statement = (getattr(clinic, f"funding_statement_{language}", "") or "").strip()
    return statement + DEMO_MARK[language] if statement and clinic.is_demo else statement


def physician_title(user, clinic: Clinic, language: str) -> str:
    """The title or qualification of the clinic's physician who signs in as `user` ("" if none)."""
    if user is None:
        return ""
    with translation.override(language):
        physician = Physician.objects.filter(clinic=clinic, user=user).exclude(title="").first()
        return physician.title if physician else ""


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).replace(microsecond=0).isoformat() if moment else ""


def _when(moment: datetime | None, language: str) -> str:
    """A date and time in the handout language's own format (2026年12月2日 15:04 / 2 December 2026, 15:04)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    separator = " " if language == "ja" else ", "
    return f"{format_date(local.date(), language)}{separator}{local:%H:%M}"


def _mark_contraindications(
    option: dict, profile: Profile, facts, override: dict | None, language: str
) -> None:
    """Add the option's absolute contraindications for this patient, the physician's override that
    covers them (shown in the option's section) and those no override covers (`blocked`: the
    handout is not issued while there are any)."""
    flagged = absolute_contraindications(option["slug"], profile, facts)
    covered = override["flags"] if override else ()
    option["absolute_contraindications"] = [f.label for f in flagged]
    option["blocked_by"] = [f.label for f in uncovered(flagged, covered)]
    option["override"] = None
    if flagged and override and not option["blocked_by"]:
        option["override"] = {
            "reason": override["reason"],
            "by": override["by"],
            "at": _iso(override["at"]),
            "text": TEXT[language]["override"].format(
                flags=TEXT[language]["list_sep"].join(option["absolute_contraindications"]),
                by=override["by"],
                when=_when(override["at"], language),
            ),
        }


def _concerns(profile: Profile, parent: dict, language: str) -> list[dict]:
    chains = {c.condition: lineage(c.condition, parent) for c in profile.concerns}
    conditions = {
        c.slug: c
        for c in Condition.objects.filter(slug__in={s for chain in chains.values() for s in chain})
        .select_related("natural_course_source")
        .prefetch_related("sources")
    }
    concerns = []
    for concern in profile.concerns:
        condition = conditions[concern.condition]
        chain = chains[concern.condition]
        scale = SEVERITY_SCAR if "acne-scar" in chain else SEVERITY_OTHER
        # What is known without treatment: the condition's own text or, failing that, its nearest
        # ancestor's (rolling scars: acne scars in general), with its source.
        known = next((conditions[s] for s in chain if s in conditions and conditions[s].natural_course), None)
        concerns.append(
            {
                "slug": condition.slug,
                "name": condition.name,
                "severity": concern.severity,
                "severity_text": scale[language].get(concern.severity, str(concern.severity)),
                "areas": [a for a in FACE_AREA_SLUGS if a in concern.areas],
                "area_names": [AREA_NAMES[language][a] for a in FACE_AREA_SLUGS if a in concern.areas],
                "home_care": condition.home_care,
                "sources": [s.title for s in condition.sources.all()]
                + ([known.natural_course_source.title] if known and known.natural_course_source else []),
                "natural_course": known.natural_course if known else "",
                "natural_course_short": _first_sentence(known.natural_course) if known else "",
            }
        )
    return concerns


def _first_sentence(text: str) -> str:
    """The first sentence of a catalog text, for the comparison grid (the whole text is in the
    option's own section)."""
    for stop in ("。", ". "):
        if stop in text:
            return text.split(stop, 1)[0] + stop.strip()
    return text


def _options(clinic: Clinic, compared: tuple[Compared, ...], language: str) -> list[dict]:
    """Each compared option as the handout shows it: the engine's facts, the catalog's texts."""
    text = TEXT[language]
    slugs = [c.option.treatment for c in compared]
    treatments = {
        t.slug: t
        for t in Treatment.objects.filter(slug__in=slugs).prefetch_related(
            Prefetch(
                "side_effects",
                queryset=SideEffect.objects.select_related("figure_source").order_by("sort_order", "id"),
            ),
            "sources",
        )
    }
    indications = {
        (i.treatment.slug, i.condition.slug): i
        for i in Indication.objects.filter(treatment__slug__in=slugs).select_related(
            "treatment", "condition", "figure_source"
        )
    }
    offerings = {
        o.treatment.slug: o
        for o in Offering.objects.filter(
            clinic=clinic, active=True, treatment__slug__in=slugs
        ).select_related("treatment", "clinic")  # the statements read offering.clinic (is_demo)
    }
    options = []
    for n, (option, suggestion, exclusion) in enumerate(
        ((c.option, c.suggestion, c.exclusion) for c in compared), start=1
    ):
        slug, timing = option.treatment, option.timing
        t = treatments[slug]
        offering = offerings.get(slug)
        # How sure the catalog is, per concern: the evidence level of the indication the engine rated
        # it by (`rated_for`, the nearest one), never a second reading of the catalog's rules.
        addresses = []
        for a in option.addresses:
            indication = indications.get((slug, a.rated_for))
            level = indication.evidence_level if indication else ""
            figure = figure_of(indication) if indication else None
            addresses.append(
                {
                    "concern": a.condition_name,
                    "strength": a.strength,
                    "strength_text": a.strength_text,
                    "rationale": a.rationale,
                    "evidence_level": level,
                    "evidence_text": EVIDENCE[language].get(level, EVIDENCE[language][""]),
                    "figure": _figure(figure, language, benefit=True),
                }
            )
        weakest = min((a["evidence_level"] for a in addresses), key=EVIDENCE_ORDER.index, default=None)
        # Concerns the catalog rates the option "not suitable" for (e.g. subcision, ice-pick scars).
        unsuitable = [
            {"concern": a.condition_name, "strength_text": a.strength_text, "rationale": a.rationale}
            for a in option.unsuitable
        ]
        price = None
        if option.estimated_cost_yen is not None:
            course_label = (
                text["course_same"].format(a=timing.sessions_min)
                if timing.sessions_min == timing.sessions_max
                else text["course"].format(a=timing.sessions_min, b=timing.sessions_max)
            )
            price = {
                "per_session_yen": option.per_session_yen,
                "course_min_yen": option.estimated_cost_yen[0],
                "course_max_yen": option.estimated_cost_yen[1],
                "per_session_text": yen(option.per_session_yen),
                "course_label": course_label,
                "course_text": yen_range(*option.estimated_cost_yen, language),
                "packs": [
                    {"sessions": s, "price_yen": p, "label": text["pack"].format(n=s), "text": yen(p)}
                    for s, p in option.courses
                    if s > 1  # a one-session "course" is the per-session price again
                ],
                "is_sample": option.is_sample_price,
                "note": offering.note if offering else "",
            }
        # The status as this clinic gives it: an approved product it uses off-label says so.
        told = status_at(t, offering)
        regulatory = {
            "status": t.regulatory_status,
            "text": REGULATORY[language].get(told, ""),
            "short": REGULATORY_SHORT[language].get(told, ""),
            "note": t.approval_note,
            "unapproved": [],
            "regenerative_class": None,
            "class_text": "",
            "plan_number": "",
            "plan_text": "",
        }
        # The five statements for an unapproved or off-label product, from this clinic's facts.
        regulatory["unapproved"] = [
            {"heading": UNAPPROVED_HEADINGS[language][s.key], "text": s.text}
            for s in disclosure_statements(t, offering, language)
        ]
        if t.regulatory_status == Treatment.Regulatory.REGENERATIVE:
            regulatory["regenerative_class"] = t.regenerative_class
            regulatory["class_text"] = REGENERATIVE_CLASS[language].get(t.regenerative_class, "")
            regulatory["plan_number"] = offering.regenerative_plan_number if offering else ""
            regulatory["plan_text"] = (
                text["plan_number"].format(n=regulatory["plan_number"])
                if regulatory["plan_number"]
                else text["plan_missing"]
            )
        options.append(
            {
                "n": n,
                "slug": slug,
                "name": option.name,
                "label": text["option"].format(n=n),
                "unapproved_heading": text["unapproved_h"].format(name=t.name),
                "regenerative_heading": text["regenerative_h"].format(name=t.name),
                "category": CATEGORY[language].get(t.category, ""),
                "summary": t.summary,
                "how_it_works": t.how_it_works,
                "session_description": t.session_description,
                "sessions_min": timing.sessions_min,
                "sessions_max": timing.sessions_max,
                "interval_weeks_min": timing.interval_weeks_min,
                "interval_weeks_max": timing.interval_weeks_max,
                "effect_weeks_min": timing.effect_weeks_min,
                "effect_weeks_max": timing.effect_weeks_max,
                "sessions_text": range_text(
                    text,
                    "sessions",
                    timing.sessions_min,
                    timing.sessions_max,
                    c=timing.interval_weeks_min,
                    d=timing.interval_weeks_max,
                ),
                "effect_text": text["effect"].format(a=timing.effect_weeks_min, b=timing.effect_weeks_max),
                "lead_weeks": timing.lead_weeks,
                "lead_text": text["lead"].format(w=timing.lead_weeks) if timing.lead_weeks else "",
                "lead_description": t.lead_time_description if timing.lead_weeks else "",
                "downtime_text": range_text(text, "days", timing.downtime_days_min, timing.downtime_days_max),
                "duration_text": t.duration_text,
                "downtime_days_min": timing.downtime_days_min,
                "downtime_days_max": timing.downtime_days_max,
                "downtime_description": t.downtime_description,
                "pain": option.pain,
                "pain_text": text["pain_scale"].format(
                    word=PAIN[language].get(option.pain, ""), p=option.pain
                ),
                "anesthesia": t.anesthesia,
                "uses_needles": option.uses_needles,
                "skin_type_note": t.skin_type_note,
                "variants": t.variants,
                "side_effects": [
                    {
                        "name": se.name,
                        "frequency": FREQUENCY[language].get(se.frequency, ""),
                        "usual_duration": se.usual_duration,
                        "figure": _figure(figure_of(se), language),
                    }
                    for se in t.side_effects.all()
                ],
                # Her skin type applied to pigmentation risk: the engine's own caution, in the risk table.
                "skin_type_risk": [c.text for c in suggestion.cautions if c.code == "skin-type"]
                if suggestion
                else [],
                # The weakest evidence behind the concerns it addresses, in a few words for the grid.
                "evidence_short": EVIDENCE_SHORT[language].get(weakest, "") if weakest is not None else "",
                "reviewed_on": t.reviewed_on.isoformat(),
                "addresses": addresses,
                "unsuitable": unsuitable,
                "matched": suggestion is not None or exclusion is not None,
                "cautions": [c.text for c in suggestion.cautions] if suggestion else [],
                # The same cautions in a few words for the grid, once per kind.
                "cautions_short": list(
                    dict.fromkeys(CAUTION_SHORT[language].get(c.code, c.text) for c in suggestion.cautions)
                )
                if suggestion
                else [],
                "exclusions": [r.text for r in exclusion.reasons] if exclusion else [],
                "price": price,
                "regulatory": regulatory,
                "sources": [s.title for s in t.sources.all()],
            }
        )
    return options


def _home_care(
    concerns: list[dict], parent: dict, flags: frozenset[str], language: str
) -> tuple[dict, list[str]]:
    """The advice for the patient's concerns (a tip for a parent condition, such as acne scars in
    general, applies to its types), without what the catalog says to avoid with one of her medical
    flags (retinol or vitamin A supplements in pregnancy or breastfeeding)."""
    slugs = {s for c in concerns for s in lineage(c["slug"], parent)}
    tips = (
        HomeCareTip.objects.filter(conditions__slug__in=slugs)
        .exclude(avoid_with__slug__in=flags)
        .distinct()
        .select_related("source")
        .order_by("topic", "sort_order", "slug")
    )
    topics: dict[str, list[str]] = {}
    sources = []
    for tip in tips:
        topics.setdefault(tip.topic, []).append(tip.text)
        if tip.source:
            sources.append(tip.source.title)
    order = list(HomeCareTip.Topic.values)
    nutrients = list(
        Nutrient.objects.filter(conditions__slug__in=slugs)
        .exclude(avoid_with__slug__in=flags)
        .distinct()
        .select_related("source")
        .order_by("sort_order", "slug")
    )
    sources += [n.source.title for n in nutrients if n.source]
    return {
        "conditions": [{"name": c["name"], "text": c["home_care"]} for c in concerns if c["home_care"]],
        "topics": [
            {"topic": topic, "title": TOPIC[language].get(topic, topic), "tips": topics[topic]}
            for topic in sorted(topics, key=lambda t: order.index(t) if t in order else len(order))
        ],
        "nutrients": [{"name": n.name, "role": n.role, "foods": n.foods} for n in nutrients],
    }, sources


def _sources(options: list[dict], concerns: list[dict], extra: list[str]) -> list[str]:
    titles = [t for o in options for t in o["sources"]] + [t for c in concerns for t in c["sources"]] + extra
    figures = [
        f["source"]
        for o in options
        for f in [a["figure"] for a in o["addresses"]] + [se["figure"] for se in o["side_effects"]]
        if f
    ]
    return list(dict.fromkeys(titles + figures))


def _references(titles: list[str]) -> list[dict]:
    """Each source as a reference: title, author or organisation, year and identifier (IPDASi)."""
    by_title = {s.title: s for s in Source.objects.filter(title__in=titles)}
    references = []
    for title in titles:
        source = by_title.get(title)
        references.append(
            {
                "title": title,
                "publisher": source.publisher if source else "",
                "year": source.year if source and source.year else None,
                "identifier": source.identifier if source else "",
            }
        )
    return references


def _figure(figure, language: str, *, benefit: bool = False) -> dict | None:
    """A natural frequency as the handout prints it, with its icon array (one icon per person)."""
    if figure is None:
        return None
    return {
        **figure.as_dict(),
        "text": figure_text(figure, language, benefit=benefit),
        "uncertainty": figure_uncertainty_text(figure, language),
        "icons": icon_array(figure.count, figure.per),
    }


ICON_GAP = 6  # SVG units between icon centres


def icon_array(count: int, per: int) -> dict:
    """The geometry of an icon array: `per` people in rows of 10 (100) or 40 (1,000), the first
    `count` filled; filled and hollow differ in form, so it reads in black and white."""
    columns = 10 if per <= 100 else 40
    rows = -(-per // columns)
    return {
        "width": columns * ICON_GAP,
        "height": rows * ICON_GAP,
        "r": ICON_GAP * 0.36,
        "icons": [
            {
                "x": (i % columns) * ICON_GAP + ICON_GAP / 2,
                "y": (i // columns) * ICON_GAP + ICON_GAP / 2,
                "on": i < count,
            }
            for i in range(per)
        ],
    }


def _no_treatment(concerns: list[dict], language: str) -> dict:
    """The "no treatment / wait / cover make-up" option: what is known about each concern without
    treatment (the catalog's sourced text), or a plain statement that no checked source says."""
    text = TEXT[language]
    return {
        "concerns": [
            {
                "concern": c["name"],
                "text": c.get("natural_course") or text["none_unknown"],
                "short": c.get("natural_course_short") or text["none_unknown_short"],
            }
            for c in concerns
        ],
    }


def _about(options: list[dict], header: dict, clinic: dict, preview: bool, language: str) -> dict:
    """The "About this handout" box: when the options' information was last reviewed, who prepared
    the handout and which physician reviewed this version."""
    text = TEXT[language]
    dates = sorted(o["reviewed_on"] for o in options)
    latest = format_date(date.fromisoformat(dates[-1]), language) if dates else "—"
    oldest = format_date(date.fromisoformat(dates[0]), language) if dates else "—"
    reviewed = (
        text["about_reviewed_same"].format(d=latest)
        if latest == oldest
        else text["about_reviewed"].format(latest=latest, oldest=oldest)
    )
    who = header["counselor"] or header["issued_by"]
    if header["signed_off_by"]:
        title = header.get("signed_off_title", "")
        checked = text["about_signed_title" if title else "about_signed"].format(
            by=header["signed_off_by"], when=_when(header["signed_off_at"], language), title=title
        )
    else:
        checked = text["about_not_signed"]
    return {
        "reviewed": reviewed,
        # The preparer's role (IPDASi: credentials): the counselor, else the staff member who printed it.
        "prepared": text["about_prepared" if header["counselor"] else "about_prepared_staff"].format(
            clinic=clinic["name"], who=who
        )
        if who
        else "",
        "checked": checked,
        # Who paid for making the handout (IPDASi: funding); a handout without it is refused.
        "funding": text["about_funding"].format(statement=clinic["funding_statement"])
        if clinic.get("funding_statement")
        else "",
    }


def missing_disclosures(snapshot: dict) -> list[str]:
    """What keeps the snapshot from being a lawful handout, one line per option and gap (empty: none).

    Every unapproved product needs its five statements and every regenerative treatment its class and
    the clinic's filed plan number; `lint_catalog` reports the same gaps to the clinic admin.
    """
    problems = []
    for option in snapshot["options"]:
        regulatory = option["regulatory"]
        # Unapproved or used off-label at this clinic: each of the five statements needs its facts.
        missing = [s["heading"] for s in regulatory["unapproved"] if not s["text"].strip()]
        if missing:
            problems.append(f"{option['name']}: {', '.join(missing)}")
        if regulatory["status"] == Treatment.Regulatory.REGENERATIVE:
            if not regulatory["class_text"]:
                problems.append(f"{option['name']}: {REGENERATIVE_H[snapshot['language']]['class']}")
            if not regulatory["plan_number"]:
                problems.append(f"{option['name']}: {REGENERATIVE_H[snapshot['language']]['plan']}")
    return problems


def problems(snapshot: dict) -> list[str]:
    """Why this handout must not reach the patient (empty: it may be issued), in the staff's language."""
    found = []
    gaps = missing_disclosures(snapshot)
    if not snapshot["clinic"].get("funding_statement", "").strip():
        found.append(
            _(
                "The clinic's funding statement (who paid for making the handout) is missing in the handout's "
                "language (%(language)s): ask the clinic admin to fill in the clinic's “funding statement”."
            )
            % {"language": snapshot["language"]}
        )
    if gaps:
        found.append(
            _(
                "Required information is missing from the catalog; ask the clinic admin to complete it: %(gaps)s."
            )
            % {"gaps": "; ".join(gaps)}
        )
    for option in snapshot["options"]:
        if option.get("blocked_by"):
            found.append(
                _(
                    "%(treatment)s is absolutely contraindicated for this patient (%(flags)s): remove it from "
                    "the comparison, or a physician overrides the contraindication with a medical reason."
                )
                % {"treatment": option["name"], "flags": " / ".join(option["blocked_by"])}
            )
    if not snapshot["options"]:
        found.append(
            _(
                "No option is in the comparison: the handout lists the options the physician selected. "
                "Add them, and have the physician sign off."
            )
        )
    return found


def _context(snapshot: dict) -> dict:
    """What the template needs beyond the snapshot, computed from it alone."""
    language = snapshot["language"]
    return {
        "timeline": timeline_geometry(snapshot) if snapshot["options"] else None,
        "any_sample": any(o["price"] and o["price"]["is_sample"] for o in snapshot["options"]),
        "unapproved": [o for o in snapshot["options"] if o["regulatory"]["unapproved"]],
        "regenerative": [o for o in snapshot["options"] if o["regulatory"]["status"] == "regenerative"],
        "face_areas": [(slug, AREA_NAMES[language][slug]) for slug in FACE_AREA_SLUGS],
        "excluded_medical_text": TEXT[language]["excluded_medical"].format(n=snapshot["excluded_medical"])
        if snapshot.get("excluded_medical")
        else "",
        # Questions 5 and 8 are answered in each option's section, not in the grid.
        "in_details_note": TEXT[language]["in_details_note"].format(**TEXT[language]),
        # The "no treatment" column (issue 14): one more column wherever a row spans the options.
        "n_cols": 1 if snapshot.get("no_treatment") else 0,
        "values_rows": [
            TEXT[language][key]
            for key in (
                "values_downtime",
                "values_cost",
                "values_visits",
                "values_needles",
                "values_approval",
                "values_event",
            )
        ],
    }


KIND = pipeline.DocumentKind(
    name="handout",
    path="handouts",
    template="handout/handout.html",
    stylesheet="handout/handout.css",
    wording=TEXT,
    build=build_snapshot,
    card_template="consult/_handouts.html",
    problems=problems,
    needs_sign_off=True,
    context=_context,
    issue_action=AuditEvent.Action.ISSUE_HANDOUT,
    download_action=AuditEvent.Action.DOWNLOAD_HANDOUT,
)


def render_handout(snapshot: dict) -> bytes:
    """PDF bytes for a handout snapshot (the command line, tests and benchmarks)."""
    return pipeline.render(KIND, snapshot, snapshot["handout_id"])
