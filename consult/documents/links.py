"""Signed, expiring links to one issued document, for the patient's phone (issue 16, item 4).

The link carries the document's id signed with the site's secret (django.core.signing) and the time
it was made; it opens that document only, and only for `settings.DOCUMENT_LINK_DAYS` days. Nothing is
stored: the signature is the permission, and changing SECRET_KEY ends every link.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core import signing

from consult.models import Document

SALT = "consult.documents.links"


class Invalid(Exception):
    """Not a link this site made (tampered, truncated), or its document is gone."""


class Expired(Exception):
    def __init__(self, document: Document):
        super().__init__(str(document.public_id))
        self.document = document


def valid_days() -> int:
    return settings.DOCUMENT_LINK_DAYS


def max_age() -> timedelta:
    return timedelta(days=valid_days())


def make(document: Document) -> str:
    return signing.TimestampSigner(salt=SALT).sign(document.public_id.hex)


def _find(value: str) -> Document:
    document = (
        Document.objects.select_related("consultation__clinic").filter(public_id=value).first()
        if len(value) == 32
        else None
    )
    if document is None:
        raise Invalid
    return document


def document(token: str) -> Document:
    """The document a link was made for; raises Invalid or Expired."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        return _find(signer.unsign(token, max_age=max_age()))
    except signing.SignatureExpired:
        raise Expired(_find(signer.unsign(token))) from None
    except signing.BadSignature:
        raise Invalid from None


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (pure Python, no image library)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    out = BytesIO()
    image.save(out)
    svg = out.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]
