"""Two people saving the same consultation at the same moment: one clear winner, one conflict."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from catalog.models import Clinic, Membership
from consult.models import Consultation
from tests.conftest import make_user


def _save(client: Client, url: str, notes: str, barrier: threading.Barrier, results: list) -> None:
    try:
        data = {
            "version": 1,
            "chart_number": "CC-1",
            "handout_language": "ja",
            "needles_ok": "yes",
            "notes": notes,
        }
        barrier.wait(timeout=10)
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        results.append((response.status_code, notes))
    finally:
        connection.close()


@pytest.mark.parametrize("attempt", range(3))
def test_simultaneous_saves_end_with_one_winner_and_one_conflict(committed_db, attempt):
    clinic = Clinic.objects.get(slug="demo-clinic")
    alice = make_user("alice", clinic, Membership.Role.COUNSELOR)
    bob = make_user("bob", clinic, Membership.Role.PHYSICIAN)
    consultation = Consultation.objects.create(clinic=clinic, counselor=alice, chart_number="CC-1")
    url = f"/consultations/{consultation.public_id}/save/"
    clients = []
    for user in (alice, bob):
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(2)
    results: list = []
    threads = [
        threading.Thread(target=_save, args=(client, url, f"note by {user.username}", barrier, results))
        for client, user in zip(clients, (alice, bob), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    winner = next(notes for status, notes in results if status == 200)
    consultation.refresh_from_db()
    assert consultation.notes == winner
    assert consultation.version == 2
