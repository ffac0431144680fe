from django.urls import path

from consult import plan_views, present, views
from consult.documents import KINDS
from consult.documents import views as document_views

app_name = "consult"
urlpatterns = [
    path("consultations/", views.consultation_list, name="list"),
    path("consultations/new/", views.consultation_new, name="new"),
    path("consultations/<uuid:public_id>/", views.workspace, name="workspace"),
    path("consultations/<uuid:public_id>/save/", views.workspace_save, name="save"),
    path("consultations/<uuid:public_id>/options/", views.workspace_option, name="option"),
    path("consultations/<uuid:public_id>/review/", views.workspace_review, name="review"),
    *plan_views.urlpatterns,
    path("consultations/<uuid:public_id>/present/", present.present, name="present"),
    # The signed, expiring link of a QR code: one document, no account (consult/documents/links.py).
    path("d/<str:token>/", document_views.shared, name="shared_document"),
]
# Each kind of document: issue (POST) and download its issued PDFs, e.g. .../handouts/<id>.pdf.
for kind in KINDS.values():
    urlpatterns += [
        path(
            f"consultations/<uuid:public_id>/{kind.path}/",
            document_views.issue,
            {"kind": kind.name},
            name=f"{kind.name}_issue",
        ),
        path(
            f"consultations/<uuid:public_id>/{kind.path}/pending/<str:key>/",
            document_views.pending,
            {"kind": kind.name},
            name=f"{kind.name}_pending",
        ),
        path(
            f"consultations/<uuid:public_id>/{kind.path}/<uuid:document_id>.pdf",
            document_views.download,
            {"kind": kind.name},
            name=f"{kind.name}_download",
        ),
        path(
            f"consultations/<uuid:public_id>/{kind.path}/<uuid:document_id>/",
            document_views.view,
            {"kind": kind.name},
            name=f"{kind.name}_view",
        ),
        path(
            f"consultations/<uuid:public_id>/{kind.path}/<uuid:document_id>/share/",
            document_views.share,
            {"kind": kind.name},
            name=f"{kind.name}_share",
        ),
    ]
