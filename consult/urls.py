from django.urls import path

from consult import views

urlpatterns = [
    path("", views.home, name="home"),
]
