"""Shared by the plan's view tests: a consultation with a rolling-scar concern and Dermapen 4 compared,
and a physician's own browser session."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import Condition, Treatment
from consult.models import ChosenOption, Concern, Consultation


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    consultation = Consultation.objects.create(
        clinic=demo_clinic,
        counselor=counselor,
        chart_number="P-2001",
        display_name="計画 花子",
        budget_yen=150_000,
    )
    Concern.objects.create(
        consultation=consultation, condition=Condition.objects.get(slug="rolling-scar"), severity=3, areas=[]
    )
    ChosenOption.objects.create(consultation=consultation, treatment=Treatment.objects.get(slug="dermapen-4"))
    return consultation


@pytest.fixture
def physician_client(physician) -> Client:
    client = Client()
    client.force_login(physician)
    return client
