"""JSON out through orjson: the same bytes DRF's renderer writes, several times
faster on a page of suggestions with their explanations."""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

# Dates and times go through DRF's encoder (milliseconds, ``Z`` for UTC), like
# anything orjson does not know (lazy translations, Decimal); int keys become
# strings, as json.dumps makes them.
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default


class JSONRenderer(renderers.JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            # Asked for indented output: DRF's own renderer writes it.
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(data, default=_default, option=OPTIONS)
