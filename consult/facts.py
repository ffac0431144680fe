"""Turn the catalog (database) into the engine's plain `CatalogFacts`, in a fixed number of queries.

Building the facts costs about 0.6 ms per treatment, which a counselor would wait for on every change
in the workspace with a large catalog. They are cached per process, keyed by the clinic, the language
and the catalog's revision: one cheap query that changes whenever a catalog row the facts are built
from is saved (every model involved carries an `auto_now` `changed_at`), added or deleted.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Prefetch
from django.utils import translation

from catalog.models import (
    REVISIONED_MODELS,
    CatalogRevision,
    Clinic,
    Condition,
    Contraindication,
    Indication,
    MedicalFlag,
    Offering,
    SideEffect,
    Treatment,
)
from consult.engine import (
    CatalogFacts,
    ContraindicationFacts,
    IndicationFacts,
    PriceFacts,
    TreatmentFacts,
)

_CACHE: dict[tuple, tuple[tuple, object]] = {}
_CACHE_LOCK = threading.Lock()


@dataclass(frozen=True)
class CatalogRows:
    """The catalog rows every workspace request shows besides the engine's facts (read-only: shared
    by the request threads of a process until the catalog's revision moves).

    Side effects carry no `changed_at`: the admin moves the revision counter when it saves one (an
    inline of the treatment); one changed outside the admin is seen at the next catalog change.
    """

    conditions: list[Condition]
    flags: list[MedicalFlag]
    side_effects: dict[str, list[SideEffect]]  # treatment slug -> its side effects, in order
    plan_numbers: dict[str, str]  # treatment slug -> this clinic's filed regenerative plan number
    approvals: dict[str, str]  # treatment slug -> this clinic's record of the product's approval in Japan


def catalog_revision() -> tuple:
    """The CatalogRevision counter, and the row count and latest `changed_at` of every model the facts
    come from, in one query.

    An admin change or `load_demo` moves the counter (whatever the order in which concurrent changes
    commit); any other save through the ORM moves a `changed_at`; an addition or deletion moves a count.
    (Raw SQL or `QuerySet.update()` on the catalog is not seen: restart the app after such an edit.)
    """
    quote = connection.ops.quote_name
    counter = quote(CatalogRevision._meta.db_table)
    parts = [f"(SELECT {quote('number')} FROM {counter} WHERE {quote('id')} = 1)"]
    for model in REVISIONED_MODELS:
        table = quote(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table})")
        parts.append(f"(SELECT MAX({quote('changed_at')}) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def catalog_facts(clinic: Clinic | None, language: str, revision: tuple | None = None) -> CatalogFacts:
    """Every treatment with its indications, contraindications and this clinic's price (if offered;
    no clinic: the catalog alone, without prices).

    One query when the catalog has not changed since the last call for this clinic and language
    (none when the caller read `revision` already in this request); otherwise the same handful of
    queries whatever the catalog's size (asserted in tests).
    """
    key = ("facts", clinic.pk if clinic is not None else None, language)
    return _cached(key, revision, lambda: build_catalog_facts(clinic, language))


def catalog_rows(clinic: Clinic, revision: tuple | None = None) -> CatalogRows:
    """Conditions, flags, side effects and the clinic's plan numbers, cached like the facts."""
    return _cached(("rows", clinic.pk), revision, lambda: _build_rows(clinic))


def _cached(key: tuple, revision: tuple | None, build):
    revision = catalog_revision() if revision is None else revision
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == revision:
        return cached[1]
    value = build()
    with _CACHE_LOCK:
        _CACHE[key] = (revision, value)
    _out_of_the_collectors_way(value)
    return value


FREEZE_FROM = 1000  # treatments: below, the collector's walks over the cache cost next to nothing


def _out_of_the_collectors_way(value) -> None:
    """A large catalog's cached facts and rows (tens of thousands of objects per 1,000 treatments)
    are moved out of the cyclic garbage collector's sight (`gc.freeze`).

    Why: every workspace request leaves cyclic garbage (Django's RequestContext and its ContextDicts
    refer to each other, so the rendered context, with the engine's result, waits for the collector),
    enough with a large catalog to trigger a full collection, which walks every object of the
    process, the cache included: at 20,000 treatments a 1-2 s collection in every update, the cause
    of the 20,000-treatment regression of docs/benchmarks.md. Frozen objects are still freed by
    reference counting when a new revision replaces them (the facts and rows hold no cycles). A
    collection first, so that only what is alive is frozen (it costs less than the build).
    """
    size = len(value.treatments if isinstance(value, CatalogFacts) else value.side_effects)
    if size >= FREEZE_FROM:
        gc.collect()
        gc.freeze()


def _build_rows(clinic: Clinic) -> CatalogRows:
    side_effects: dict[str, list[SideEffect]] = {}
    # The treatment's slug only, not a Treatment per row (20,000 of them weigh ~1 GB).
    for side_effect in SideEffect.objects.annotate(treatment_slug=F("treatment__slug")):
        side_effects.setdefault(side_effect.treatment_slug, []).append(side_effect)
    offerings = Offering.objects.filter(clinic=clinic, active=True)
    return CatalogRows(
        conditions=list(Condition.objects.all()),
        flags=list(MedicalFlag.objects.all()),
        side_effects=side_effects,
        plan_numbers=dict(
            offerings.exclude(regenerative_plan_number="").values_list(
                "treatment__slug", "regenerative_plan_number"
            )
        ),
        approvals=dict(offerings.exclude(japan_approval="").values_list("treatment__slug", "japan_approval")),
    )


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def build_catalog_facts(clinic: Clinic | None, language: str) -> CatalogFacts:
    """The facts straight from the database, without the cache."""
    with translation.override(language):
        offerings = Offering.objects.filter(clinic=clinic, active=True).prefetch_related("course_prices")
        if clinic is None:
            offerings = offerings.none()
        treatments = Treatment.objects.prefetch_related(
            Prefetch("indications", queryset=Indication.objects.select_related("condition").order_by("id")),
            Prefetch(
                "contraindications", queryset=Contraindication.objects.select_related("flag").order_by("id")
            ),
            Prefetch("offerings", queryset=offerings, to_attr="clinic_offerings"),
        )
        facts = tuple(_treatment_facts(t) for t in treatments)
        conditions = list(Condition.objects.values("slug", "parent__slug", f"name_{language}", "name_ja"))
        return CatalogFacts(
            treatments=facts,
            condition_parent={c["slug"]: c["parent__slug"] for c in conditions},
            condition_name={c["slug"]: c[f"name_{language}"] or c["name_ja"] for c in conditions},
            flag_label={f.slug: f.label for f in MedicalFlag.objects.all()},
        )


def _treatment_facts(t: Treatment) -> TreatmentFacts:
    offering = t.clinic_offerings[0] if t.clinic_offerings else None
    price = None
    if offering is not None:
        price = PriceFacts(
            per_session_yen=offering.price_per_session_yen,
            # One session is the price per session, its one source: a stored 1-session "course" row
            # (older data) is ignored, so an edited per-session price cannot disagree with it.
            courses=tuple((c.sessions, c.price_yen) for c in offering.course_prices.all() if c.sessions > 1),
            is_sample=offering.is_sample_price,
        )
    return TreatmentFacts(
        slug=t.slug,
        name=t.name,
        uses_needles=t.uses_needles,
        pain=t.pain,
        sessions_min=t.sessions_min,
        sessions_max=t.sessions_max,
        interval_weeks_min=t.interval_weeks_min,
        interval_weeks_max=t.interval_weeks_max,
        downtime_days_min=t.downtime_days_min,
        downtime_days_max=t.downtime_days_max,
        effect_weeks_min=t.effect_weeks_min,
        effect_weeks_max=t.effect_weeks_max,
        insurance_covered=t.insurance_covered,
        indications=tuple(
            IndicationFacts(i.condition.slug, i.strength, i.rationale) for i in t.indications.all()
        ),
        contraindications=tuple(
            ContraindicationFacts(c.flag.slug, c.kind, c.note) for c in t.contraindications.all()
        ),
        pih_risk_from_skin_type=t.pih_risk_from_skin_type,
        price=price,
        lead_time_weeks=t.lead_time_weeks,
    )
