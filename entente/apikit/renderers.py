"""JSON as the API writes it."""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class ApiJSONEncoder(NinjaJSONEncoder):
    """Datetimes always in UTC (`2025-01-31T09:00:00.123Z`), whatever zone they carry."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            o = o.astimezone(dt.UTC)
        return super().default(o)


class ApiRenderer(JSONRenderer):
    encoder_class = ApiJSONEncoder
