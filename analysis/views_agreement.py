"""The agreement page: how far chosen coders agree on the themes of a survey's answers, and the
answers they differ on, side by side, each linked to the workspace where it can be settled.

Who may open it: the workspace's rule (``coding_staff_required``). The statistics are
``agreement.agreement`` and ``agreement.disagreements``; this module picks the question and the
coders and lays the result out. Respondents appear as pseudonyms, never by name.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from surveys.i18n import localized
from surveys.models import Answer, Question, Survey

from . import coding
from .agreement import agreement, coding_frame, disagreements
from .load import respondent_pseudonym
from .models import Theme
from .views_coding import coding_staff_required, long_text_questions


def coder_name(coder: AbstractBaseUser) -> str:
    """How a coder is named on the page: their full name, else their username."""
    return coder.get_full_name() or coder.get_username()


class AgreementForm(forms.Form):
    question = forms.ChoiceField(label=gettext_lazy("Question"), required=False)
    coders = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Coders"),
        coerce=int,
        required=False,
        help_text=gettext_lazy("None ticked: everyone who coded the question."),
    )

    def __init__(
        self, *args, questions: list[Question], coders: list[AbstractBaseUser], language: str, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [
            ("", _("All long-text questions")),
            *((question.code, localized(question.text, None, language)) for question in questions),
        ]
        self.fields["coders"].choices = [(coder.pk, coder_name(coder)) for coder in coders]

    def choice(self) -> tuple[str | None, list[int]]:
        """The question code (None: every long-text question) and the ids of the coders ticked
        (empty: none ticked); a field with a bad value counts as left empty."""
        self.is_valid()
        return self.cleaned_data.get("question") or None, self.cleaned_data.get("coders") or []


# The result, laid out ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementRow:
    """One line of the agreement table: a theme, or all themes pooled (``theme`` None); ``kappa``
    and ``alpha`` are None where they are undefined (every rating the same)."""

    theme: Theme | None
    share_present: float
    observed_agreement: float
    kappa: float | None
    alpha: float | None


@dataclass(frozen=True)
class CoderReading:
    """One coder's themes on an answer, each with whether the coders differ about it."""

    coder: str
    themes: list[tuple[str, bool]]


@dataclass(frozen=True)
class Disagreement:
    """An answer the coders differ on, with what each of them coded and where to settle it."""

    answer_id: int
    pseudonym: str
    question: str
    text: str
    workspace_url: str
    readings: list[CoderReading]


@dataclass(frozen=True)
class AgreementReport:
    """What the page shows once agreement can be measured."""

    n_answers: int
    rows: list[AgreementRow]
    disagreements: pandas.DataFrame


def _defined(value) -> float | None:
    return None if pandas.isna(value) else float(value)


def agreement_report(
    *, frame: pandas.DataFrame, coders: Sequence[int], themes: list[Theme]
) -> AgreementReport:
    """Agreement of ``coders`` on ``themes`` over the answers in ``frame`` (``coding_frame``) that
    every one of them coded: all themes pooled first, then each theme in the order given, and the
    answers they differ on (``agreement``, ``disagreements``).

    Raises ``ValueError`` with a message for the researcher when agreement cannot be measured:
    fewer than two coders, no themes, or no answer that every one of the coders has coded.
    """
    table = agreement(frame=frame, coders=coders, themes=themes)
    by_theme = {int(row.theme): row for row in table.loc[table["theme"].notna()].itertuples()}
    pooled = next(table.loc[table["theme"].isna()].itertuples())
    rows = [
        AgreementRow(
            theme=theme,
            share_present=float(row.share_present),
            observed_agreement=float(row.observed_agreement),
            kappa=_defined(row.kappa),
            alpha=_defined(row.alpha),
        )
        for theme, row in [(None, pooled), *((theme, by_theme[theme.pk]) for theme in themes)]
    ]
    return AgreementReport(
        n_answers=int(pooled.n_answers),
        rows=rows,
        disagreements=disagreements(frame=frame, coders=coders, themes=themes),
    )


def workspace_positions(*, survey: Survey, question_codes: set[str]) -> dict[int, int]:
    """Where each answer to the questions ``question_codes`` stands in the workspace filtered to
    its question (``?question=<code>&n=<position>``): answer id → position from 1. The workspace
    lists a question's answers by response, then answer id (``coding.answers_to_code``). One query."""
    answers = (
        coding.codable_answers(survey=survey)
        .filter(question__code__in=question_codes)
        .order_by("response_id", "pk")
        .values_list("pk", "question__code")
    )
    positions, counts = {}, dict.fromkeys(question_codes, 0)
    for answer_id, code in answers:
        counts[code] += 1
        positions[answer_id] = counts[code]
    return positions


def disagreement_rows(
    *, survey: Survey, table: pandas.DataFrame, coders: list[AbstractBaseUser], themes: list[Theme]
) -> list[Disagreement]:
    """``disagreements``' ``table`` as rows to show: each answer with its respondent's pseudonym,
    its text and, per coder in the order of ``coders``, the names of the themes they marked.
    Two queries, whatever the number of answers."""
    if table.empty:
        return []
    names = {theme.pk: theme.name for theme in themes}
    answers = {
        pk: (response_id, text)
        for pk, response_id, text in Answer.objects.filter(pk__in=table["answer"].tolist()).values_list(
            "pk", "response_id", "text"
        )
    }
    positions = workspace_positions(survey=survey, question_codes=set(table["question"]))
    workspace = reverse("coding:workspace", kwargs={"slug": survey.slug})
    rows = []
    for row in table.to_dict("records"):
        response_id, text = answers[row["answer"]]
        query = urlencode({"question": row["question"], "n": positions[row["answer"]]})
        rows.append(
            Disagreement(
                answer_id=int(row["answer"]),
                pseudonym=respondent_pseudonym(response_id),
                question=row["question"],
                text=text,
                workspace_url=f"{workspace}?{query}",
                readings=[
                    CoderReading(
                        coder=coder_name(coder),
                        themes=[(names[theme], theme in row["differing"]) for theme in row[coder.pk]],
                    )
                    for coder in coders
                ],
            )
        )
    return rows


# The page ---------------------------------------------------------------------------------------


@coding_staff_required
@require_GET
@never_cache
def coding_agreement(request, slug: str):
    """Agreement between coders on one question (``question``, a code) or all long-text questions,
    for the coders ticked (``coders``, user ids; by default everyone who coded the question):
    kappa and alpha per theme and pooled, then the answers they differ on. When agreement cannot
    be measured, the page says why."""
    survey = get_object_or_404(Survey, slug=slug)
    themes = coding.codebook_themes(codebook=coding.codebook_for_survey(survey=survey))
    frame = coding_frame(survey=survey)
    coders = sorted(get_user_model().objects.filter(pk__in=frame["coder"].unique().tolist()), key=coder_name)
    form = AgreementForm(
        request.GET, questions=long_text_questions(survey), coders=coders, language=survey.default_language
    )
    question_code, ticked = form.choice()
    compared = frame if question_code is None else frame.loc[frame["question"].eq(question_code)]
    coder_ids = ticked or sorted(compared["coder"].unique().tolist())
    chosen = [coder for coder in coders if coder.pk in coder_ids]
    context = {
        "survey": survey,
        "survey_title": survey.localized_title(),
        "form": form,
        "ticked": ticked,
        "coder_names": [coder_name(coder) for coder in chosen],
    }
    try:
        report = agreement_report(frame=compared, coders=coder_ids, themes=themes)
    except ValueError as error:
        context["problem"] = str(error)
    else:
        context.update(
            {
                "n_answers": report.n_answers,
                "with_kappa": len(coder_ids) == 2,
                "rows": report.rows,
                "disagreements": disagreement_rows(
                    survey=survey, table=report.disagreements, coders=chosen, themes=themes
                ),
            }
        )
    return render(request, "analysis/coding/agreement.html", context)
