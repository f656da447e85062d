from django.conf import settings
from django.core.checks import Error, register


@register()
def secret_key_is_set(app_configs, **kwargs):
    if settings.DEBUG or settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
        return []
    return [
        Error(
            "SECRET_KEY is not set, and DEBUG is off.",
            hint="Set the SECRET_KEY environment variable to a long random string.",
            id="seuranta.E001",
        )
    ]
