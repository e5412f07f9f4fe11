"""The demo questionnaire as plain data: a ``roundtable-questionnaire`` document (the format that
``services.questionnaire_files`` imports and exports), so the demo is made the way any survey is.

Themes follow the article "China's Role in Global AI Governance" (Fudan Development Institute,
2025): fragmentation, the AI divide, divergent perceptions of security risks, the UN's central
role, Global South priorities, open-source cooperation, a World AI Cooperation Organization and
multi-stakeholder participation. Every text is a ``{"en": ..., "zh-hans": ...}`` dictionary.
"""

from .challenges import ABOUT_YOU, AI_DIVIDE, FRAGMENTATION, SECURITY_RISKS
from .cooperation import COOPERATION, OUTLOOK, STAKEHOLDERS, UNITED_NATIONS
from .survey import SERIES, SURVEY

SECTIONS = [
    ABOUT_YOU,
    FRAGMENTATION,
    SECURITY_RISKS,
    AI_DIVIDE,
    UNITED_NATIONS,
    COOPERATION,
    STAKEHOLDERS,
    OUTLOOK,
]

DOCUMENT = {
    "format": "roundtable-questionnaire",
    "version": 1,
    "series": SERIES,
    **SURVEY,
    "sections": SECTIONS,
}

__all__ = ["DOCUMENT", "SECTIONS", "SERIES", "SURVEY"]
