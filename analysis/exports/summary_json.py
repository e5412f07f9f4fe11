"""The survey summary as a JSON download (``docs/summary-json.md`` describes it key by key)."""

import json
from typing import Any

from ..summary import SurveySummary, summary_to_json


def write_summary_json(summary: SurveySummary, stream: Any) -> None:
    """Write ``summary_to_json(summary)`` to ``stream`` (a text file or an ``HttpResponse``) as
    UTF-8 JSON: non-ASCII text (Chinese questions, country names) as itself, never as escapes;
    withheld numbers as null, never NaN."""
    json.dump(summary_to_json(summary), stream, ensure_ascii=False, allow_nan=False)
