from django.urls import path

from consult import handout_views, views

app_name = "consult"
urlpatterns = [
    path("consultations/", views.consultation_list, name="list"),
    path("consultations/new/", views.consultation_new, name="new"),
    path("consultations/<uuid:public_id>/", views.workspace, name="workspace"),
    path("consultations/<uuid:public_id>/save/", views.workspace_save, name="save"),
    path("consultations/<uuid:public_id>/options/", views.workspace_option, name="option"),
    path("consultations/<uuid:public_id>/handouts/", handout_views.issue, name="handout_issue"),
    path(
        "consultations/<uuid:public_id>/handouts/<uuid:handout_id>.pdf",
        handout_views.download,
        name="handout_download",
    ),
    path("consultations/<uuid:public_id>/review/", views.workspace_review, name="review"),
]
