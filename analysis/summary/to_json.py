"""The summary as one JSON document, every table once by its id (docs/summary-json.md)."""

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

import pandas

from ..summary_themes import themes_to_json
from .shape import SurveySummary, distribution_table_id, fieldwork_table_id, item_table_id

JSON_FORMAT = "roundtable.survey-summary"
JSON_VERSION = 1


def table_to_json(table: pandas.DataFrame) -> dict[str, list]:
    """``{"columns": [...], "rows": [[...], ...]}`` with NaN/NA as null and numpy types as JSON's."""
    split = json.loads(table.to_json(orient="split", index=False, date_format="iso", double_precision=15))
    return {"columns": split["columns"], "rows": split["data"]}


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def summary_to_json(summary: SurveySummary) -> dict[str, Any]:
    """``summary`` as JSON-safe data; every table once, under ``tables`` by its id, referred to by
    id elsewhere. The structure is documented key by key in docs/summary-json.md."""
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "survey": summary.survey_slug,
        "title": summary.title,
        "wave": summary.wave,
        "previous_wave": summary.previous_wave or None,
        "k": summary.k,
        "filters": asdict(summary.filters),
        "suppressed": summary.suppressed,
        "n_respondents": summary.n_respondents,
        "consensus_criteria": {
            "iqr_max_5pt": summary.criteria.iqr_max_5pt,
            "share_min": summary.criteria.share_min,
        },
        "fieldwork": {
            "opens_at": _moment(summary.fieldwork["opens_at"]),
            "closes_at": _moment(summary.fieldwork["closes_at"]),
            "n_submitted": summary.fieldwork["n_submitted"],
            "by_group": {
                grouping: fieldwork_table_id(grouping) for grouping in summary.fieldwork["by_group"]
            },
        },
        "items": [
            {
                "code": item.code,
                "type": item.type,
                "text": item.text,
                "section": item.section,
                "overall": item_table_id(item.code),
                "breakdowns": {
                    breakdown: item_table_id(item.code, breakdown) for breakdown in item.breakdowns
                },
                "distribution": distribution_table_id(item.code) if item.distribution is not None else None,
            }
            for item in summary.items
        ],
        "consensus": "consensus",
        "divergence": "divergence",
        "trends": "trends" if summary.trends is not None else None,
        "themes": themes_to_json(summary.themes),
        "findings": [
            {
                "kind": finding.kind,
                "question": finding.question,
                "text": str(finding.text),
                "numbers": finding.numbers,
                "table": finding.table,
            }
            for finding in summary.findings
        ],
        "tables": {table_id: table_to_json(table) for table_id, table in summary.tables.items()},
    }
