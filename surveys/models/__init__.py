"""The nouns of data gathering: questionnaires, the expert panel, invitations and responses.

Questionnaire texts are stored as ``{language code: text}`` dictionaries (see ``i18n.py``) so a
survey can carry any language its authors write, with fallback to the survey's default language.

The package: ``questionnaires`` (series, surveys, sections, questions, choices), ``panel``
(sectors, experts, invitations, quotas), ``responses`` (responses, answers) and ``tally`` (the
answer tally's tables).
"""

from .panel import Expert, Invitation, Quota, Sector
from .questionnaires import Choice, Question, Section, Series, Survey, code_validator, language_codes
from .responses import Answer, Response
from .tally import AnswerTally, TallyProfile, TallyState

__all__ = [
    "Answer",
    "AnswerTally",
    "Choice",
    "Expert",
    "Invitation",
    "Question",
    "Quota",
    "Response",
    "Section",
    "Sector",
    "Series",
    "Survey",
    "TallyProfile",
    "TallyState",
    "code_validator",
    "language_codes",
]
