"""What the coding workspace suggests beside an answer: the distinctive terms of the chosen question
and the themes the answer resembles. Suggestions are only shown; the coder ticks and saves.

Themes are suggested from the coder's **own** codings of the question's other answers, never from
another coder's, so that coders stay independent and their agreement means something.
"""

from django.contrib.auth.models import AbstractBaseUser

from surveys.models import Answer, Survey

from .models import Theme
from .suggestions import distinctive_terms, suggest_themes

TERMS_SHOWN = 10


def workspace_suggestions(
    *, survey: Survey, question_code: str | None, answer: Answer | None, coder: AbstractBaseUser
) -> dict:
    """The workspace's suggestion context:

    - ``distinctive_terms``: the ``TERMS_SHOWN`` terms that characterise the submitted answers to
      the chosen question (``distinctive_terms``), or None when no question is chosen;
    - ``suggesting``: whether ``answer`` is shown and ``coder`` has not coded it yet (its
      ``coder_segments``, prefetched by ``answers_to_code``, are empty);
    - ``suggested_themes``: when suggesting, the themes ``answer`` resembles in ``coder``'s codings
      of the other answers (``suggest_themes``), best first; empty when there are too few.

    One query for the terms and three for the themes, whatever the number of answers.
    """
    terms = None
    if question_code is not None:
        table = distinctive_terms(survey=survey, question_code=question_code, top=TERMS_SHOWN)
        terms = table["term"].tolist()
    suggesting = answer is not None and not answer.coder_segments
    themes: list[Theme] = []
    if suggesting:
        themes = [theme for theme, _score in suggest_themes(answer=answer, coder=coder)]
    return {"distinctive_terms": terms, "suggesting": suggesting, "suggested_themes": themes}
