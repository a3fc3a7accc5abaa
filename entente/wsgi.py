"""WSGI entry point: `entente serve` (waitress) serves `application` from here."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entente.settings")

application = get_wsgi_application()
