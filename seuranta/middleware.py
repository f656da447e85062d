from django.conf import settings


class PermissionsPolicyMiddleware:
    """Send a Permissions-Policy header denying the browser features in
    settings.PERMISSIONS_POLICY_DENIED (camera, microphone, location, payment, …)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        denied = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED)
        response.setdefault("Permissions-Policy", denied)
        return response
