"""Every paper the app gives a patient, on one pipeline (design.md §11).

- `pipeline.py`: snapshot → template → PDF → immutable `Document` (snapshot, bytes, SHA-256).
- `views.py`: issue and download any kind, audited, with one refusal path (409 when the bytes no
  longer match their SHA-256, 410 after anonymisation).
- `wording.py`: words several kinds share (treatment vocabulary, yen and dates in ja/en).
- one module per kind: `handout.py` (its snapshot builder and `KIND`), `handout_text.py` (its
  sentences), `timeline.py` (its chart).

To add a kind: write its snapshot builder and wording, its template under `templates/`, define a
`DocumentKind` and list it in `KINDS` below. The URLs, issue, download, audit, export and retention
follow from the registry.
"""

from __future__ import annotations

from consult.documents import consent, handout, plan_documents
from consult.documents.pipeline import DocumentKind

KINDS: dict[str, DocumentKind] = {
    kind.name: kind for kind in (handout.KIND, *plan_documents.KINDS, consent.KIND)
}
