"""Coding pages: the surveys to code, the coding workspace (one answer at a time) and the quotes a
report may use; the codebook's pages are ``views_codebook``, the forms ``forms``.

Who may use them: logged-in staff holding ``analysis.code_answers`` (the researcher and admin
roles); anyone else logged in gets 403, anonymous visitors are sent to log in. Changing the
codebook also needs the theme permissions. The workspace shows no personal data: a respondent is
a pseudonym with their sector, region, country and language. Names appear only on the quotes
page, in the attribution of experts who agreed to be quoted by name.
"""

import itertools
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_countries import countries

from surveys.i18n import localized
from surveys.models import Answer, Question, Response, Survey

from . import coding, quotes
from .forms import CodingForm, FilterForm, QuoteForm, add_service_error
from .load import QUESTION_ORDER, respondent_pseudonym
from .models import Codebook, CodedSegment, Quote
from .workspace_suggestions import workspace_suggestions

CODING_PERMISSION = "analysis.code_answers"
SHORTCUT_THEMES = 9  # number keys 1–9 toggle the first nine themes


def coding_staff_required(view):
    """Login first (anonymous → login page), then ``analysis.code_answers`` (otherwise 403)."""
    return login_required(permission_required(CODING_PERMISSION, raise_exception=True)(view))


@coding_staff_required
@require_GET
def coding_surveys(request):
    """Surveys with open-ended questions, and how many of their answers this coder has coded."""
    return render(
        request, "analysis/coding/surveys.html", {"surveys": coding.surveys_for_coding(coder=request.user)}
    )


@dataclass
class Piece:
    """A stretch of the answer text between two places where a highlight starts or ends."""

    start: int
    text: str
    themes: list[str] = field(default_factory=list)
    coded: bool = False


def answer_pieces(text: str, segments: list[CodedSegment]) -> list[Piece]:
    """``text`` cut wherever one of ``segments`` starts or ends, each piece with its offset, and
    whether (and with which themes) it is coded. The "\\r" of every "\\r\\n" is left out: HTML
    turns "\\r\\n" into "\\n", so a piece with one inside would shift the offsets the browser
    computes from its ``data-start``."""
    cuts = {0, len(text)}
    for segment in segments:
        cuts |= {segment.start, segment.end}
    carriage_returns = [
        index for index, char in enumerate(text) if char == "\r" and text[index + 1 : index + 2] == "\n"
    ]
    for index in carriage_returns:
        cuts |= {index, index + 1}
    bounds = sorted(cut for cut in cuts if 0 <= cut <= len(text))
    pieces = []
    for start, end in itertools.pairwise(bounds):
        if start in carriage_returns:
            continue
        covering = [segment for segment in segments if segment.start <= start and end <= segment.end]
        names = list(dict.fromkeys(theme.name for segment in covering for theme in segment.themes.all()))
        pieces.append(Piece(start=start, text=text[start:end], themes=names, coded=bool(covering)))
    return pieces


def _position(request, total: int) -> int:
    try:
        position = int(request.GET.get("n", "1"))
    except ValueError:
        position = 1
    return min(max(position, 1), max(total, 1))


def _url_at(request, position: int) -> str:
    query = request.GET.copy()
    query["n"] = str(position)
    return f"{request.path}?{query.urlencode()}"


def _answer_facts(answer: Answer) -> dict:
    """What the workspace says about the respondent: no name, email or organisation."""
    response = answer.response
    language = response.language
    return {
        "pseudonym": respondent_pseudonym(response.pk),
        "sector": quotes.sector_label(response.sector) or _("Unknown"),
        "country": countries.name(response.country.code) if response.country else _("Unknown"),
        "region": quotes.region_label(response.un_region) or _("Unknown"),
        "language": get_language_info(language)["name_local"] if language else _("Unknown"),
    }


def long_text_questions(survey: Survey) -> list[Question]:
    """The questions of ``survey`` that can be coded (long text), in questionnaire order."""
    return list(
        Question.objects.filter(survey=survey, type=Question.Type.LONG_TEXT).order_by(*QUESTION_ORDER)
    )


def _passages(text: str, kept: list, lost: list, name: str) -> list[dict]:
    """The coded segments or quotes of an answer for the page: each as ``name``, with the ``text``
    it covers — for one the expert's edit removed (``gone``), the text it was made on."""
    return [{name: mark, "text": text[mark.start : mark.end], "gone": False} for mark in kept] + [
        {name: mark, "text": mark.passage, "gone": True} for mark in lost
    ]


def _workspace(
    request,
    survey: Survey,
    codebook: Codebook,
    coding_form: CodingForm | None = None,
    quote_form: QuoteForm | None = None,
):
    filter_form = FilterForm(
        request.GET, questions=long_text_questions(survey), language=survey.default_language
    )
    filters = filter_form.filters()
    answers = coding.answers_to_code(survey=survey, coder=request.user, **filters)
    total = answers.count()
    position = _position(request, total)
    answer = answers[position - 1] if total else None
    themes = coding.codebook_themes(codebook=codebook)
    checked = set()
    if coding_form is not None and coding_form.is_bound:
        checked = set(coding_form.data.getlist("themes"))
    context = {
        "survey": survey,
        "survey_title": survey.localized_title(),
        "filter_form": filter_form,
        "total": total,
        "position": position,
        "answer": answer,
        "themes": [
            {
                "theme": theme,
                "key": index + 1 if index < SHORTCUT_THEMES else None,
                "checked": str(theme.pk) in checked,
            }
            for index, theme in enumerate(themes)
        ],
        "coding_errors": coding_form.non_field_errors() if coding_form is not None else [],
        "memo": coding_form.data.get("memo", "") if coding_form is not None else "",
        "quote_form": quote_form,
        "languages": settings.LANGUAGES,
        **workspace_suggestions(
            survey=survey, question_code=filters["question_code"], answer=answer, coder=request.user
        ),
    }
    if answer is not None:
        response = answer.response
        # Where the coded and quoted passages are now, should the expert have edited the answer.
        segments, lost_segments = coding.placed(text=answer.text, marks=answer.coder_segments)
        marked, lost_quotes = coding.placed(text=answer.text, marks=answer.passage_quotes)
        context.update(
            {
                "question_text": localized(answer.question.text, None, survey.default_language),
                "facts": _answer_facts(answer),
                "quotable": response.attribution in quotes.QUOTABLE,
                # A translation is usually into the other language of the study.
                "translation_language": (quote_form.data.get("translation_language") if quote_form else None)
                or next((code for code, _name in settings.LANGUAGES if code != response.language), ""),
                "named": response.attribution == Response.Attribution.NAMED,
                "pieces": answer_pieces(answer.text, segments),
                "segments": _passages(answer.text, segments, lost_segments, "segment"),
                "answer_quotes": _passages(answer.text, marked, lost_quotes, "quote"),
                "previous_url": _url_at(request, position - 1) if position > 1 else "",
                "next_url": _url_at(request, position + 1) if position < total else "",
            }
        )
    failed = any(form is not None and form.errors for form in (coding_form, quote_form))
    return render(request, "analysis/coding/workspace.html", context, status=400 if failed else 200)


def _answer_or_404(survey: Survey, answer_id: int | None) -> Answer:
    answer = (
        coding.codable_answers(survey=survey)
        .select_related("question", "response")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None:
        raise Http404
    return answer


def _code(request, survey: Survey, codebook: Codebook) -> CodingForm | None:
    """Code a passage (or the whole answer); None when done, else the form with its errors."""
    form = CodingForm(request.POST, codebook=codebook)
    if not form.is_valid():
        return form
    answer = _answer_or_404(survey, form.cleaned_data["answer"])
    start, end = form.span(answer)
    try:
        coding.segment_code(
            answer=answer,
            coder=request.user,
            start=start,
            end=end,
            themes=form.cleaned_data["themes"],
            memo=form.cleaned_data["memo"],
        )
    except ValidationError as error:
        add_service_error(form, error)
        return form
    messages.success(request, _("The coding is saved."))
    return None


def _quote(request, survey: Survey) -> QuoteForm | None:
    """Mark a passage (or the whole answer) as a quote; None when done, else the form with errors."""
    form = QuoteForm(request.POST)
    if not form.is_valid():
        return form
    answer = _answer_or_404(survey, form.cleaned_data["answer"])
    start, end = form.span(answer)
    try:
        quotes.quote_mark(
            answer=answer,
            start=start,
            end=end,
            user=request.user,
            translation=form.cleaned_data["translation"],
            translation_language=form.cleaned_data["translation_language"],
        )
    except quotes.QuoteRefused as refusal:
        form.add_error(None, str(refusal))
        return form
    except ValidationError as error:
        add_service_error(form, error)
        return form
    messages.success(request, _("The passage is marked as a quote."))
    return None


def _posted_id(request, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise Http404 from None


@coding_staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def coding_workspace(request, slug: str):
    """One answer at a time, with filters; POST codes a passage, marks a quote or removes either
    (``action``), then comes back to the same place in the same list."""
    survey = get_object_or_404(Survey, slug=slug)
    codebook = coding.codebook_for_survey(survey=survey)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "code":
            form = _code(request, survey, codebook)
            if form is not None:
                return _workspace(request, survey, codebook, coding_form=form)
        elif action == "quote":
            form = _quote(request, survey)
            if form is not None:
                return _workspace(request, survey, codebook, quote_form=form)
        elif action == "uncode":
            segment = get_object_or_404(
                CodedSegment,
                pk=_posted_id(request, "segment"),
                coder=request.user,
                answer__response__survey=survey,
            )
            coding.segment_uncode(segment=segment, coder=request.user)
            messages.success(request, _("The coding is removed."))
        elif action == "unquote":
            quote = get_object_or_404(Quote, pk=_posted_id(request, "quote"), answer__response__survey=survey)
            quotes.quote_unmark(quote=quote)
            messages.success(request, _("The quote is withdrawn."))
        else:
            raise Http404
        query = request.GET.urlencode()
        return redirect(
            f"{reverse('coding:workspace', kwargs={'slug': survey.slug})}{'?' + query if query else ''}"
        )
    return _workspace(request, survey, codebook)


@coding_staff_required
@require_GET
@never_cache
def coding_quotes(request, slug: str):
    """The quotes a report may use, attributed as their experts agreed; unattributable ones left out."""
    survey = get_object_or_404(Survey, slug=slug)
    report = quotes.quotes_for_report(survey=survey, k=survey.min_group_size)
    proposed = Quote.objects.filter(
        answer__response__survey=survey, answer__response__status=Response.Status.SUBMITTED
    ).count()
    context = {
        "survey": survey,
        "survey_title": survey.localized_title(),
        "quotes": report,
        "left_out": proposed - len(report),
        "k": survey.min_group_size,
    }
    return render(request, "analysis/coding/quotes.html", context)


# The codebook -----------------------------------------------------------------------------------
