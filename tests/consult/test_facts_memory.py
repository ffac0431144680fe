"""A large catalog's cached facts stay out of the cyclic garbage collector's walks (gc.freeze), the
cause of the 20,000-treatment slowdown in docs/benchmarks.md, and are still freed when replaced."""

from __future__ import annotations

import gc
import weakref

import pytest

from catalog.models import Clinic
from consult import facts


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def test_large_cached_facts_are_frozen_and_freed_when_the_revision_moves(db, monkeypatch, unfrozen):
    clinic = Clinic.objects.get(slug="demo-clinic")
    monkeypatch.setattr(facts, "FREEZE_FROM", 1)  # the demo catalog stands in for a large one
    gc.unfreeze()
    cached = facts.catalog_facts(clinic, "ja")
    assert gc.get_freeze_count() > 0
    tracked = {id(o) for o in gc.get_objects()}
    assert id(cached) not in tracked and id(cached.treatments[0]) not in tracked  # not walked
    gone = weakref.ref(cached.treatments[0])
    revision = facts.catalog_revision()
    facts.catalog_facts(clinic, "ja", revision=(*revision, "next"))  # a new revision replaces it
    del cached
    assert gone() is None  # freed by reference counting, frozen or not


def test_small_cached_facts_are_left_alone(db, unfrozen):
    gc.unfreeze()
    facts.catalog_facts(Clinic.objects.get(slug="demo-clinic"), "en")
    assert gc.get_freeze_count() == 0
