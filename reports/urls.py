from django.urls import path

from .views import public

app_name = "reports"

urlpatterns = [
    path("", public.home, name="home"),
]
