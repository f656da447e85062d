"""The admin site, for officials and administrators, behind a second factor.

After the password, an official enters a code from an authenticator app (TOTP,
django-otp); the first time, they set the app up by scanning a QR code. Only a session
that passed the code may use the admin (`request.user.is_verified()`).
"""

import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the authenticator app"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class TwoFactorAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_verified()

    def get_urls(self):
        return [
            path("two-factor/", self.two_factor, name="two_factor"),
            *super().get_urls(),
        ]

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        user = request.user
        if user.is_active and user.is_staff and not user.is_verified():
            # The password is done; the code is next.
            url = reverse("admin:two_factor", current_app=self.name)
            next_url = request.GET.get(REDIRECT_FIELD_NAME)
            return redirect(f"{url}?{REDIRECT_FIELD_NAME}={next_url}" if next_url else url)
        return super().login(request, extra_context)

    @method_decorator(never_cache)
    def two_factor(self, request):
        """Ask a staff member who gave their password for the code; set the app up first."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return redirect("admin:login")
        next_url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
            next_url = reverse("admin:index", current_app=self.name)
        confirmed = TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
        device = None
        if not confirmed:
            # A key for the app to set up, kept until a code from it confirms it.
            device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
            device = device or TOTPDevice.objects.create(
                user=user, name=_("authenticator app"), confirmed=False
            )
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            code = form.cleaned_data["code"].replace(" ", "")
            # Each wrong code doubles the wait before the next one is even checked.
            checked = device or TOTPDevice.objects.filter(user=user, confirmed=True).first()
            allowed, _reason = checked.verify_is_allowed()
            if device is not None and device.verify_token(code):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                verified = device
            else:
                verified = match_token(user, code) if confirmed else None
            if verified is not None:
                otp_login(request, verified)
                return redirect(next_url)
            form.add_error(
                "code",
                _("The code is wrong or too old; enter the app's current code.")
                if allowed
                else _("Too many wrong codes: wait a moment, then enter the app's current code."),
            )
        context = {
            **self.each_context(request),
            "title": _("Two-factor login"),
            "form": form,
            "next": next_url,
            "setting_up": device is not None,
        }
        if device is not None:
            context["key"] = base64.b32encode(device.bin_key).decode()
            image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
            context["qr_svg"] = mark_safe(image.to_string(encoding="unicode"))  # noqa: S308
        return TemplateResponse(request, "admin/two_factor.html", context)
