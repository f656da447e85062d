from django.contrib.auth import views as auth_views
from django.urls import path

from .views import staff

app_name = "staff"

urlpatterns = [
    path("", staff.home, name="home"),
    path("<int:pk>/", staff.period_entries, name="period"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="staff/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
