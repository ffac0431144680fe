from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from catalog.models import Condition, Indication, Offering, Treatment


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
            "children", "home_care_tips", "nutrients", "sources"
        ),
        slug=slug,
    )
    lineage = condition.lineage_slugs()
    # One row per treatment: its rating for the nearest of this condition and its ancestors, the
    # same rule the suggestion engine follows (a child's own rating beats the parent's).
    nearest: dict[int, Indication] = {}
    candidates = Indication.objects.filter(condition__slug__in=lineage).select_related(
        "treatment", "condition"
    )
    for indication in sorted(candidates, key=lambda i: lineage.index(i.condition.slug)):
        nearest.setdefault(indication.treatment_id, indication)
    indications = sorted(nearest.values(), key=lambda i: (-i.strength, i.treatment.name))
    return render(
        request, "catalog/condition_detail.html", {"condition": condition, "indications": indications}
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
    return render(request, "catalog/treatment_detail.html", {"treatment": treatment, "offerings": offerings})
