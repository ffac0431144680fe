"""What a render pool process runs (consult/documents/rendering.py). Kept outside the apps: a new
"spawn" process imports this module before Django is set up, so it imports nothing of Django at
module level."""

from __future__ import annotations

import os


def start() -> None:
    """The pool's initializer: Django set up in the new process (no database is used here)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()


def warm() -> int:
    """Loads WeasyPrint and the Japanese font in a new worker, so the first handout is not slow."""
    from clinic.lib.pdf import html_to_pdf

    html_to_pdf('<html lang="ja"><title>-</title><p>準備</p></html>', identifier="0" * 32)
    return os.getpid()


def render_pdf(kind: str, snapshot: dict, document_id: str) -> bytes:
    """The PDF of a document kind's snapshot (consult.documents.pipeline.render)."""
    from consult.documents import KINDS
    from consult.documents.pipeline import render

    return render(KINDS[kind], snapshot, document_id)
