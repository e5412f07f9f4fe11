"""Input parsing for the expert's pages. Layout through crispy-forms' Bootstrap 5 pack."""

import json

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from .conditions import AnswerValue, visible_question_ids
from .i18n import localized
from .models import Choice, Question, Response

AGREEMENT_LABELS = {
    5: [
        gettext_lazy("Strongly disagree"),
        gettext_lazy("Disagree"),
        gettext_lazy("Neither agree nor disagree"),
        gettext_lazy("Agree"),
        gettext_lazy("Strongly agree"),
    ],
    7: [
        gettext_lazy("Strongly disagree"),
        gettext_lazy("Disagree"),
        gettext_lazy("Somewhat disagree"),
        gettext_lazy("Neither agree nor disagree"),
        gettext_lazy("Somewhat agree"),
        gettext_lazy("Agree"),
        gettext_lazy("Strongly agree"),
    ],
}
SHORT_TEXT_MAX_CHARS = 500


def field_name(question: Question) -> str:
    return f"q_{question.code}"


def other_field_name(question: Question) -> str:
    return f"q_{question.code}__other"


def rank_field_name(question: Question, rank: int) -> str:
    return f"q_{question.code}__rank{rank}"


def scale_labels(question: Question, language: str) -> list[str]:
    """One label per Likert point: the question's own, or the standard agreement scale."""
    if question.scale_labels:
        return [
            localized(label, language, question.survey.default_language) for label in question.scale_labels
        ]
    return [str(label) for label in AGREEMENT_LABELS[question.scale_points]]


def ranked_slots(question: Question) -> int:
    return min(question.rank_top_k or len(question.choices.all()), len(question.choices.all()))


def _tidy_bound(bound: float | None) -> float | int | None:
    """60.0 → 60, so messages say "less than or equal to 60"."""
    return int(bound) if bound is not None and float(bound).is_integer() else bound


def choice_options(question: Question, language: str) -> list[tuple[str, str]]:
    default = question.survey.default_language
    return [(choice.code, localized(choice.label, language, default)) for choice in question.choices.all()]


class ConsentForm(forms.Form):
    consent = forms.BooleanField(
        label=gettext_lazy("I have read the information above and agree to take part."),
        error_messages={"required": gettext_lazy("You need to agree before the questionnaire can start.")},
    )
    attribution = forms.ChoiceField(
        label=gettext_lazy("How may we quote you?"),
        choices=Response.Attribution.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose how you may be quoted.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token


class SectionForm(forms.Form):
    """The questions of one section, for one expert.

    ``answers`` are the stored answers of the whole response; they decide which questions show
    and fill the fields. After ``is_valid()``, ``parsed`` maps each question shown on this page
    to its ``AnswerValue`` (empty when unanswered) and ``hidden`` lists the page's questions that
    are hidden, whose stored answers must go.
    """

    def __init__(
        self,
        *args,
        questions: list[Question],
        all_questions: list[Question],
        answers: dict[int, AnswerValue],
        language: str,
        enforce_required: bool,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.all_questions = all_questions
        self.answers = answers
        self.language = language
        self.enforce_required = enforce_required
        self.default_language = all_questions[0].survey.default_language if all_questions else language
        self.parsed: dict[int, AnswerValue] = {}
        self.hidden: list[Question] = []
        page_ids = {question.pk for question in questions}
        visible_before = visible_question_ids(all_questions, answers)
        # A question depending on an answer from another page is settled now; one depending on
        # this page is rendered, and shown or hidden as the expert answers.
        self.rendered = [
            q for q in questions if q.pk in visible_before or (q.show_if_question_id in page_ids)
        ]
        for question in self.rendered:
            self._add_fields(question, answers.get(question.pk) or AnswerValue())
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        self.helper.layout = Layout(*[self._layout(q, q.pk in visible_before) for q in self.rendered])

    # Building ----------------------------------------------------------------------------------

    def _text(self, texts: dict) -> str:
        return localized(texts, self.language, self.default_language)

    def _add_fields(self, question: Question, stored: AnswerValue) -> None:
        label = self._text(question.text)
        help_text = self._text(question.help_text)
        common = {"label": label, "help_text": help_text, "required": False}
        name = field_name(question)
        kind = question.type
        if kind == Question.Type.LIKERT:
            labels = scale_labels(question, self.language)
            self.fields[name] = forms.TypedChoiceField(
                choices=[(str(point), text) for point, text in enumerate(labels, start=1)],
                coerce=int,
                widget=forms.RadioSelect,
                **common,
            )
            self.initial[name] = str(int(stored.number)) if stored.number is not None else None
        elif kind == Question.Type.SCALE_0_10:
            self.fields[name] = forms.TypedChoiceField(
                choices=[(str(point), str(point)) for point in range(11)],
                coerce=int,
                widget=forms.RadioSelect,
                **common,
            )
            self.initial[name] = str(int(stored.number)) if stored.number is not None else None
        elif kind == Question.Type.NUMBER:
            self.fields[name] = forms.FloatField(
                min_value=_tidy_bound(question.min_value),
                max_value=_tidy_bound(question.max_value),
                widget=forms.NumberInput(attrs={"step": "any"}),
                **common,
            )
            self.initial[name] = stored.number
        elif kind == Question.Type.SINGLE_CHOICE:
            self.fields[name] = forms.ChoiceField(
                choices=choice_options(question, self.language), widget=forms.RadioSelect, **common
            )
            self.initial[name] = stored.text or None
            self._add_other_field(question, stored)
        elif kind == Question.Type.MULTIPLE_CHOICE:
            self.fields[name] = forms.MultipleChoiceField(
                choices=choice_options(question, self.language),
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
            self.initial[name] = stored.codes
            self._add_other_field(question, stored)
        elif kind == Question.Type.RANKING:
            options = [("", "—"), *choice_options(question, self.language)]
            for rank in range(1, ranked_slots(question) + 1):
                rank_name = rank_field_name(question, rank)
                self.fields[rank_name] = forms.ChoiceField(
                    choices=options, required=False, label=_("Rank %(rank)d") % {"rank": rank}
                )
                if rank <= len(stored.codes):
                    self.initial[rank_name] = stored.codes[rank - 1]
        elif kind in (Question.Type.SHORT_TEXT, Question.Type.LONG_TEXT):
            long = kind == Question.Type.LONG_TEXT
            self.fields[name] = forms.CharField(
                max_length=settings.ROUNDTABLE["MAX_TEXT_ANSWER_CHARS"] if long else SHORT_TEXT_MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 8}) if long else forms.TextInput,
                **common,
            )
            self.initial[name] = stored.text
        elif kind == Question.Type.COUNTRY:
            self.fields[name] = forms.ChoiceField(choices=[("", "—"), *countries], **common)
            self.initial[name] = stored.text
        else:
            raise ValueError(f"Unknown question type {kind!r}")

    def _add_other_field(self, question: Question, stored: AnswerValue) -> None:
        other = next((c for c in question.choices.all() if c.is_other), None)
        if other is None:
            return
        self.fields[other_field_name(question)] = forms.CharField(
            required=False,
            max_length=SHORT_TEXT_MAX_CHARS,
            label=_("Please specify"),
        )
        self.initial[other_field_name(question)] = stored.other_text

    def _layout(self, question: Question, visible_now: bool):
        attrs = {"css_class": "rt-question mb-4" + ("" if visible_now else " d-none")}
        attrs["data_question"] = question.code
        attrs["data_type"] = question.type
        if question.show_if_question_id:
            attrs["data_show_if"] = json.dumps(
                {
                    "question": question.show_if_question.code,
                    "operator": question.show_if_operator,
                    "value": question.show_if_value,
                }
            )
        exclusive = [c.code for c in question.choices.all() if c.is_exclusive]
        if exclusive:
            attrs["data_exclusive"] = json.dumps(exclusive)
        other = next((c.code for c in question.choices.all() if c.is_other), None)
        if other:
            attrs["data_other"] = other
        names = [
            name
            for name in self.fields
            if name == field_name(question) or name.startswith(f"q_{question.code}__")
        ]
        if question.type == Question.Type.RANKING:
            legend = self._text(question.text)
            help_html = HTML(
                '<p class="form-text">{}</p>'.format(
                    _("Order your top %(k)d: choose one item for each rank, each item once.")
                    % {"k": ranked_slots(question)}
                )
            )
            return Div(Fieldset(legend, help_html, Div(*names, css_class="rt-ranks")), **attrs)
        return Div(*names, **attrs)

    # Parsing -----------------------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        for question in self.rendered:
            self.parsed[question.pk] = self._parse(question, cleaned)
        merged = {**self.answers, **self.parsed}
        visible = visible_question_ids(self.all_questions, merged)
        for question in self.questions:
            if question.pk not in visible:
                self.hidden.append(question)
                self.parsed.pop(question.pk, None)
                for name in list(self.errors):
                    if name == field_name(question) or name.startswith(f"q_{question.code}__"):
                        del self.errors[name]
            elif question.pk not in self.parsed:
                continue
            elif self.enforce_required and question.required and self.parsed[question.pk].is_empty():
                target = (
                    field_name(question)
                    if question.type != Question.Type.RANKING
                    else rank_field_name(question, 1)
                )
                self.add_error(target, _("Please answer this question."))
        return cleaned

    def values_to_save(self) -> dict[int, AnswerValue]:
        """After validation: the answers without errors, and empty ones for the page's hidden
        questions, so that what the expert got right is stored even when something else is wrong."""
        failed = {name.split("__")[0] for name in self.errors}
        values = {
            question.pk: self.parsed[question.pk]
            for question in self.rendered
            if question.pk in self.parsed and field_name(question) not in failed
        }
        values.update({question.pk: AnswerValue() for question in self.hidden})
        return values

    def _parse(self, question: Question, cleaned: dict) -> AnswerValue:
        name = field_name(question)
        value = cleaned.get(name)
        kind = question.type
        if kind in Question.NUMERIC_TYPES:
            return AnswerValue(number=None if value in (None, "") else float(value))
        if kind == Question.Type.SINGLE_CHOICE:
            return self._with_other(
                question, cleaned, [value] if value else [], AnswerValue(text=value or "")
            )
        if kind == Question.Type.MULTIPLE_CHOICE:
            codes = list(value or [])
            exclusive = [c for c in question.choices.all() if c.is_exclusive and c.code in codes]
            if exclusive and len(codes) > 1:
                self.add_error(
                    name,
                    _("“%(choice)s” cannot be combined with other answers.")
                    % {"choice": self._text(exclusive[0].label)},
                )
            return self._with_other(question, cleaned, codes, AnswerValue(codes=codes))
        if kind == Question.Type.RANKING:
            return self._parse_ranking(question, cleaned)
        return AnswerValue(text=(value or "").strip())

    def _with_other(
        self, question: Question, cleaned: dict, codes: list[str], answer: AnswerValue
    ) -> AnswerValue:
        other: Choice | None = next((c for c in question.choices.all() if c.is_other), None)
        if other is None:
            return answer
        text = (cleaned.get(other_field_name(question)) or "").strip()
        if other.code in codes and not text:
            self.add_error(other_field_name(question), _("Please say what “other” means here."))
        elif text and other.code not in codes:
            self.add_error(
                other_field_name(question),
                _("You wrote an answer here: tick “%(choice)s” too, or clear the text.")
                % {"choice": self._text(other.label)},
            )
        answer.other_text = text if other.code in codes else ""
        return answer

    def _parse_ranking(self, question: Question, cleaned: dict) -> AnswerValue:
        slots = ranked_slots(question)
        picks = [cleaned.get(rank_field_name(question, rank)) or "" for rank in range(1, slots + 1)]
        filled = [code for code in picks if code]
        if len(set(filled)) != len(filled):
            self.add_error(rank_field_name(question, 1), _("Each item can be ranked only once."))
        elif filled and "" in picks[: len(filled)]:
            self.add_error(rank_field_name(question, 1), _("Fill the ranks in order, starting with rank 1."))
        elif filled and len(filled) < slots and self.enforce_required and question.required:
            self.add_error(rank_field_name(question, 1), _("Please rank %(k)d items.") % {"k": slots})
        return AnswerValue(codes=filled)
