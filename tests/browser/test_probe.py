import pytest
from consult.models import Consultation

pytestmark = pytest.mark.browser

def test_probe(counselor_page, counselor, demo_clinic):
    c = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="P-1")
    page = counselor_page
    page.goto(f"/consultations/{c.public_id}/")
    page.screenshot(path="/tmp/ws.png", full_page=True)
    print(page.title())
    print(Consultation.objects.count())
