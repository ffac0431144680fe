"""`load_demo`'s staff accounts: the demo physician is the account behind one of the demo clinic's
physician records, so a handout it signs names that physician's title (issue 14, IPDASi credentials)."""

from __future__ import annotations

import pytest

from catalog.models import Physician
from catalog.roles import ensure_demo_users
from consult.documents.handout import physician_title


@pytest.mark.django_db
def test_the_demo_physician_signs_as_a_physician_record_with_its_title(demo_clinic):
    users = {u.username: u for u in ensure_demo_users(demo_clinic)}
    physician = users["physician"]
    records = Physician.objects.filter(clinic=demo_clinic, user=physician)
    assert records.count() == 1
    assert physician_title(physician, demo_clinic, "ja") == records.get().title_ja != ""
    assert physician_title(physician, demo_clinic, "en") == records.get().title_en != ""
    # The counselor signs nothing and is no physician.
    assert not Physician.objects.filter(user=users["counselor"]).exists()

    ensure_demo_users(demo_clinic)  # again (make run on an existing database): still one record
    assert Physician.objects.filter(user=physician).count() == 1
