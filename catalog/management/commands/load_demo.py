from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from catalog.models import REVISIONED_MODELS, CatalogRevision, Clinic
from catalog.roles import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users, ensure_groups

FIXTURES = ["fixtures/catalog.json", "fixtures/demo_clinic.json"]


class Command(BaseCommand):
    help = "Load the catalog and the fictional demo clinic; create the demo accounts (local use only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-users", action="store_true", help="load the catalog only")

    def handle(self, *args, no_users: bool, **options) -> None:
        with transaction.atomic():
            call_command("loaddata", *[settings.BASE_DIR / f for f in FIXTURES], verbosity=0)
            # loaddata bypasses `auto_now`: stamp the rows so the catalog revision (the key of the
            # cached suggestion-engine facts in consult/facts.py) moves and running servers reload.
            now = timezone.now()
            for model in REVISIONED_MODELS:
                model.objects.update(changed_at=now)
            CatalogRevision.bump()
        ensure_groups()
        if no_users:
            self.stdout.write("Catalog loaded.")
            return
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts have a published password: create them only with DJANGO_DEBUG=1."
            )
        ensure_demo_users(Clinic.objects.get(slug="demo-clinic"))
        names = ", ".join(name for name, _role, _full in DEMO_USERS)
        self.stdout.write(f"Catalog loaded. Demo logins: {names} (password {DEMO_PASSWORD}).")
