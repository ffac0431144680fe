from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from catalog.models import Condition, Indication, Offering, Treatment, disclosure_statements
from consult.documents.wording import UNAPPROVED_HEADINGS
from consult.engine import ConcernIn, ratings
from consult.facts import catalog_facts


@login_required
def condition_list(request: HttpRequest) -> HttpResponse:
    roots = Condition.objects.roots().prefetch_related("children")
    groups: dict[str, list[Condition]] = {}
    for condition in roots:
        groups.setdefault(condition.get_group_display(), []).append(condition)
    return render(request, "catalog/condition_list.html", {"groups": groups})


@login_required
def condition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    condition = get_object_or_404(
        Condition.objects.select_related("parent").prefetch_related(
            "children", "home_care_tips__avoid_with", "nutrients__avoid_with", "sources"
        ),
        slug=slug,
    )
    # One row per treatment, rated as the suggestion engine rates a concern on this condition (the
    # nearest of its own and its ancestors' indications): the same rule, from the same place. A
    # nearest rating of "not suitable" is listed apart: the engine does not count it as addressed.
    language = "en" if (get_language() or "").startswith("en") else "ja"
    facts = catalog_facts(None, language)
    concern = (ConcernIn(condition.slug, severity=1),)
    rows = []
    for treatment in facts.treatments:
        found = ratings(treatment, concern, facts, language)
        if found:
            rows.append((treatment, found[0]))
    rows.sort(key=lambda row: (-row[1].strength, row[0].name))
    indications = [row for row in rows if not row[1].not_for]
    not_suitable = [row for row in rows if row[1].not_for]
    return render(
        request,
        "catalog/condition_detail.html",
        {
            "condition": condition,
            "indications": indications,
            "not_suitable": not_suitable,
            "strength_labels": dict(Indication.Strength.choices),
        },
    )


@login_required
def treatment_list(request: HttpRequest) -> HttpResponse:
    treatments = Treatment.objects.all()
    category = request.GET.get("category", "")
    if category in Treatment.Category.values:
        treatments = treatments.filter(category=category)
    return render(
        request,
        "catalog/treatment_list.html",
        {"treatments": treatments, "categories": Treatment.Category.choices, "category": category},
    )


@login_required
def treatment_detail(request: HttpRequest, slug: str) -> HttpResponse:
    treatment = get_object_or_404(
        Treatment.objects.prefetch_related(
            Prefetch("indications", queryset=Indication.objects.select_related("condition", "source")),
            "contraindications__flag",
            "side_effects",
            "sources",
        ),
        slug=slug,
    )
    # The offering (price, regenerative-medicine plan number) at the clinics the user works for.
    offerings = (
        Offering.objects.filter(treatment=treatment, active=True, clinic__in=request.user.clinics.all())
        .select_related("clinic")
        .prefetch_related("course_prices")
        .order_by("clinic__slug")
    )
    # The five statements for an unapproved or off-label product: the general facts, and each of the
    # user's clinics' own (its product, approval, supply route), composed in one place.
    language = "en" if (get_language() or "").startswith("en") else "ja"
    offerings = list(offerings)
    for offering in offerings:
        offering.disclosures = _disclosures(treatment, offering, language)
    return render(
        request,
        "catalog/treatment_detail.html",
        {
            "treatment": treatment,
            "offerings": offerings,
            "disclosures": _disclosures(treatment, None, language),
        },
    )


def _disclosures(treatment: Treatment, offering: Offering | None, language: str) -> list[dict]:
    return [
        {"heading": UNAPPROVED_HEADINGS[language][s.key], "text": s.text}
        for s in disclosure_statements(treatment, offering, language)
    ]
