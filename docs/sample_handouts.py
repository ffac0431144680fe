"""The sample handouts in docs/ (handout-ja-p*.png, handout-en-p*.png): issued from a signed-off
consultation, as a patient gets them, so without the staff-preview banner of `manage.py handout`.

    export DJANGO_DEBUG=1 DATABASE_URL=sqlite:////tmp/samples.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py load_demo
    PYTHONPATH=. .venv/bin/python docs/sample_handouts.py /tmp/samples
    pdftoppm -r 60 -png /tmp/samples/handout-ja.pdf /tmp/samples/ja   # then copy the pages shown

Use a scratch database: it adds two consultations to the demo clinic.
"""

from __future__ import annotations

import os
import sys
from datetime import date

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from catalog.models import Clinic, Condition, Membership, Treatment  # noqa: E402
from consult.documents import handout, pipeline  # noqa: E402
from consult.models import ChosenOption, Concern, Consultation  # noqa: E402

OPTIONS = ["dermapen-4", "fibroblast-transplant", "subcision"]
NOTES = {"ja": "来月に友人の結婚式があります。", "en": "A friend's wedding next month."}


def main(out: str) -> None:
    users = get_user_model().objects
    clinic = Clinic.objects.get(slug="demo-clinic")
    counselor, physician = users.get(username="counselor"), users.get(username="physician")
    # English names for the staff, as a clinic admin enters them (Membership.name_en).
    for user, name in ((counselor, "Demo Counselor"), (physician, "Demo Physician")):
        Membership.objects.filter(user=user, clinic=clinic).update(name_en=name)
    for language in ("ja", "en"):
        consultation = Consultation.objects.create(
            clinic=clinic,
            counselor=counselor,
            chart_number="A-1001",
            display_name="山田 花子",
            handout_language=language,
            skin_type=4,
            max_downtime_days=3,
            budget_yen=300000,
            needles_ok=True,
            max_pain=2,
            event_date=date(2027, 1, 20),
            notes=NOTES[language],
        )
        for slug, severity, areas in (
            ("rolling-scar", 3, ["cheek-left", "cheek-right"]),
            ("enlarged-pores", 2, ["nose"]),
        ):
            Concern.objects.create(
                consultation=consultation,
                condition=Condition.objects.get(slug=slug),
                severity=severity,
                areas=areas,
            )
        for position, slug in enumerate(OPTIONS):
            ChosenOption.objects.create(
                consultation=consultation, treatment=Treatment.objects.get(slug=slug), position=position
            )
        consultation = consultation.reloaded()
        consultation.sign_off(physician, consultation.version)
        document = pipeline.issue(handout.KIND, consultation.reloaded(), counselor)
        path = os.path.join(out, f"handout-{language}.pdf")
        with open(path, "wb") as f:
            f.write(bytes(document.pdf))
        print(path)


if __name__ == "__main__":
    main(sys.argv[1])
