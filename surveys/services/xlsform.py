"""XLSForm → a ``roundtable-questionnaire`` document, read by pyxform itself.

pyxform reads the workbook (``get_xlsform``) and turns it into its JSON form tree
(``workbook_to_json``, what ``parse_file_to_json`` wraps), applying XLSForm's own rules on the
way: choice lists exist, groups open and close, ``${name}`` references resolve. The tree is then
mapped element by element (the table in ``docs/questionnaire-format.md``). Whatever Roundtable
cannot represent is reported by sheet and row (the header is row 1), all at once.

Nothing here touches the database: ``questionnaire_files.survey_from_xlsform`` imports the result.
"""

import copy
import re
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from pyxform import aliases
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from ..models import Question, language_codes
from ..validation import Problem, QuestionnaireInvalid
from .questionnaire_format import FORMAT_NAME, FORMAT_VERSION

SELECT_TYPES = {
    "select one": Question.Type.SINGLE_CHOICE,
    "select all that apply": Question.Type.MULTIPLE_CHOICE,
    "rank": Question.Type.RANKING,
}
# Recorded by the device, not asked; Roundtable keeps its own timestamps, so these are skipped.
METADATA_TYPES = {"start", "end", "today", "deviceid", "phonenumber", "username", "email", "audit"}
SUPPORTED_TYPES = "select_one, select_multiple, rank, integer, decimal, range, text, note, begin/end group"
LANGUAGE_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans"}
# Ranges that are one of Roundtable's scales; any other range is a number with bounds.
RANGE_TYPES = {
    (0, 10, 1): {"type": Question.Type.SCALE_0_10},
    (1, 5, 1): {"type": Question.Type.LIKERT, "scale_points": 5},
    (1, 7, 1): {"type": Question.Type.LIKERT, "scale_points": 7},
}

NUMBER = r"-?\d+(?:\.\d+)?"
REFERENCE = r"\$\{\s*([^}\s]+)\s*\}"
LITERAL = rf"(?:'([^']*)'|\"([^\"]*)\"|({NUMBER}))"
RELEVANT_FORMS = [
    (re.compile(rf"{REFERENCE}\s*!=\s*(?:''|\"\")"), Question.Operator.ANSWERED),
    (re.compile(rf"{REFERENCE}\s*=\s*{LITERAL}"), Question.Operator.EQUALS),
    (re.compile(rf"{REFERENCE}\s*!=\s*{LITERAL}"), Question.Operator.NOT_EQUALS),
    (re.compile(rf"selected\(\s*{REFERENCE}\s*,\s*{LITERAL}\s*\)"), Question.Operator.EQUALS),
    (
        re.compile(rf"not\(\s*selected\(\s*{REFERENCE}\s*,\s*{LITERAL}\s*\)\s*\)"),
        Question.Operator.NOT_EQUALS,
    ),
    (re.compile(rf"{REFERENCE}\s*>=\s*{LITERAL}"), Question.Operator.AT_LEAST),
    (re.compile(rf"{REFERENCE}\s*<=\s*{LITERAL}"), Question.Operator.AT_MOST),
]
RELEVANT_HELP = "${q} = 'code', ${q} != 'code', selected(${q}, 'code'), ${q} >= N, ${q} <= N, ${q} != ''"
BOUND = re.compile(rf"\.\s*(>=|<=)\s*({NUMBER})")
PYXFORM_ROW = re.compile(r"\[row : (\d+)\]\s*(.*)", re.DOTALL)
PYXFORM_SHEET = re.compile(r"On the '(\w+)' sheet")
# pyxform names an unnamed note after its row ("generated_note_name_7"), and moves a table-list
# group's label into a note it makes up; the other elements it adds (meta, instanceID, or_other's
# text) have names no row of the sheet has, which is how they are told apart and skipped.
GENERATED_NOTE = re.compile(r"generated_note_name_(\d+)")
TABLE_LIST_LABEL = "generated_table_list_label_"
DOCUMENT_PATH = re.compile(r"sections\[\d+\](?:\.questions\[\d+\](?:\.choices\[\d+\])?)?|[a-z_]+")


def _at(sheet: str, row: int) -> str:
    return _("sheet “%(sheet)s”, row %(row)d") % {"sheet": sheet, "row": row}


def _yes_no(value) -> bool | None:
    """XLSForm's yes/no spellings (yes, true, TRUE(), no …) as a bool; None for anything else."""
    return aliases.yes_no.get(str(value).strip().lower())


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _language_code(name: str) -> str | None:
    """Roundtable's code for a language pyxform names ``English (en)``, ``zh-Hans`` or ``en``."""
    in_parentheses = re.search(r"\(([^()]+)\)\s*$", name)
    code = (in_parentheses.group(1) if in_parentheses else name).strip().lower()
    code = LANGUAGE_ALIASES.get(code, code)
    return code if code in language_codes() else None


def _first_value(row: dict, keys: set[str]) -> str:
    return next((str(row[key]) for key in keys if row.get(key) is not None), "")


@dataclass
class XLSFormDocument:
    """The translated document and, for document paths, the sheet and row they came from."""

    document: dict
    locations: dict[str, str]

    def locate(self, problem: Problem) -> Problem:
        """``problem``, located by document path, located by sheet and row instead when known."""
        match = DOCUMENT_PATH.match(problem.where)
        key = match.group(0) if match else ""
        while key not in self.locations and "." in key:
            key = key.rpartition(".")[0]
        if key not in self.locations:
            return problem
        rest = problem.where[len(key) :]
        if rest.startswith("."):
            return Problem(self.locations[key], f"{rest[1:]}: {problem.message}")
        return Problem(self.locations[key] + rest, problem.message)


def _pyxform_problem(error: PyXFormError) -> Problem:
    message = str(error).strip()
    located = PYXFORM_ROW.fullmatch(message)
    if not located:
        return Problem("XLSForm", message)
    sheet = PYXFORM_SHEET.search(message)
    sheet_name = sheet.group(1) if sheet else error.context.get("sheet", "survey")
    return Problem(_at(sheet_name, int(located.group(1))), located.group(2))


class _Translation:
    """One walk over pyxform's tree, building the document and collecting problems."""

    def __init__(self, definition, form: dict):
        self.form = form
        self.problems: list[Problem] = []
        self.locations: dict[str, str] = {}
        self.sections: list[dict] = []
        self.conditions: list[tuple[dict, int]] = []  # (question with a show_if, row of its relevant)
        self.code_rows: dict[str, int] = {}
        # pyxform keeps empty rows in the sheet data, so a row's index gives its number.
        self.raw_rows = dict(enumerate(definition.survey or [], start=2))
        name_keys = {"name"} | {key for key, value in aliases.survey_header.items() if value == "name"}
        self.rows_by_name: dict[str, deque[int]] = defaultdict(deque)
        for number, row in self.raw_rows.items():
            if not str(row.get("type", "")).startswith("end"):
                self.rows_by_name[_first_value(row, name_keys)].append(number)
        self.choice_rows = {
            (_first_value(row, {"list_name", "list name"}), _first_value(row, {"name", "value"})): number
            for number, row in enumerate(definition.choices or [], start=2)
        }
        self._choose_languages()

    def refuse(self, row: int, message: str, sheet: str = "survey") -> None:
        self.problems.append(Problem(_at(sheet, row), message))

    # -- languages ---------------------------------------------------------------------------

    def _language_names(self) -> dict[str, str]:
        """pyxform's language names (``English (en)``, or ``default`` for a plain column) → sheet."""
        names: dict[str, str] = {}

        def visit(element: dict, sheet: str) -> None:
            for column in ("label", "hint"):
                if isinstance(element.get(column), dict):
                    names.update({name: sheet for name in element[column] if name not in names})
            for child in element.get("children", []):
                visit(child, sheet)

        visit(self.form, "survey")
        for choices in self.form.get("choices", {}).values():
            for choice in choices:
                visit(choice, "choices")
        return names

    def _choose_languages(self) -> None:
        """The default language is the settings sheet's; without one, the first language Roundtable
        offers when some columns are plain (untranslated) or none are translated, else the first
        translated column's. ``codes`` maps pyxform's language names to Roundtable's codes."""
        self.default_name = self.form.get("default_language", "default")
        self.default = language_codes()[0]
        names = self._language_names()
        if self.default_name != "default":
            self.default = self._code_or_refuse(self.default_name, "settings", 2) or self.default
        elif names and "default" not in names:
            self.default = _language_code(next(iter(names))) or self.default
        self.codes = {"default": self.default, self.default_name: self.default}
        for name, sheet in names.items():
            if name not in self.codes:
                self.codes[name] = self._code_or_refuse(name, sheet, 1)
        self.languages = list(dict.fromkeys(code for code in self.codes.values() if code))

    def _code_or_refuse(self, name: str, sheet: str, row: int) -> str | None:
        code = _language_code(name)
        if code is None:
            offered = {"language": name, "offered": ", ".join(language_codes())}
            message = _("the language “%(language)s” is not one Roundtable offers (%(offered)s)")
            self.refuse(row, message % offered, sheet)
        return code

    def texts(self, value) -> dict:
        if isinstance(value, str):
            return {self.default: value} if value else {}
        texts = {self.codes.get(name): str(text) for name, text in (value or {}).items() if text}
        texts.pop(None, None)
        return texts

    # -- the walk ----------------------------------------------------------------------------

    def row_of(self, element: dict) -> int | None:
        """The survey-sheet row ``element`` came from, or None for what pyxform made up."""
        name = str(element.get("name", ""))
        if self.rows_by_name.get(name):
            return self.rows_by_name[name].popleft()
        generated = GENERATED_NOTE.fullmatch(name)
        return int(generated.group(1)) if generated else None

    def translate(self) -> dict:
        title = self.texts(self.form.get("title"))
        ungrouped = None
        for element in self.form.get("children", []):
            row = self.row_of(element)
            if row is None or element["type"] in METADATA_TYPES:
                continue
            if element["type"] == "group":
                section = self.new_section(element, row, title)
                condition = self.group_condition(element, row, None)
                for child in element.get("children", []):
                    self.add(child, section, condition, self.row_of(child))
                ungrouped = None
            else:
                # Questions outside any group: each run of them is a section of its own.
                ungrouped = ungrouped or self.new_section({}, row, title)
                self.add(element, ungrouped, None, row)
        for question, row in self.conditions:
            if question["show_if"]["question"] not in self.code_rows:
                target = {"target": question["show_if"]["question"]}
                self.refuse(
                    row, _("the relevant refers to “%(target)s”, not a question Roundtable imports") % target
                )
        return {"title": title, "sections": self.sections}

    def new_section(self, group: dict, row: int, survey_title: dict) -> dict:
        self.locations[f"sections[{len(self.sections)}]"] = _at("survey", row)
        label, hint = group.get("label"), group.get("hint")
        children = group.get("children", [])
        if children and str(children[0].get("name", "")).startswith(TABLE_LIST_LABEL):
            label, hint = children[0].get("label"), children[0].get("hint")
        section = {
            "title": self.texts(label) or dict(survey_title),
            "intro": self.texts(hint),
            "questions": [],
        }
        self.sections.append(section)
        return section

    def group_condition(self, group: dict, row: int, inherited: tuple | None) -> tuple | None:
        """(show_if, row) a group passes to its questions; only one group on the way may have one."""
        relevant = group.get("bind", {}).get("relevant")
        if not relevant:
            return inherited
        if inherited is not None:
            self.refuse(row, _("a group inside a group with a relevant cannot have a relevant too"))
            return inherited
        show_if = self.show_if(relevant, row)
        return (show_if, row) if show_if else None

    def add(self, element: dict, section: dict, condition: tuple | None, row: int | None) -> None:
        kind = element["type"]
        if row is None or kind in METADATA_TYPES:
            return
        if kind == "group":  # a group inside a group: its questions join the enclosing section
            inner = self.group_condition(element, row, condition)
            for child in element.get("children", []):
                self.add(child, section, inner, self.row_of(child))
        elif kind == "note":
            if section["questions"]:
                self.refuse(
                    row,
                    _(
                        "a note after a question has no place in Roundtable: move it to the start of "
                        "its group, where it becomes the section's introduction, or delete it"
                    ),
                )
            for code, text in self.texts(element.get("label")).items():
                section["intro"][code] = "\n\n".join(filter(None, [section["intro"].get(code), text]))
        elif question := self.question(element, row):
            if question["code"] in self.code_rows:
                names = {"name": question["code"], "row": self.code_rows[question["code"]]}
                self.refuse(
                    row,
                    _("the name “%(name)s” is also used on row %(row)d; question names must be unique")
                    % names,
                )
            self.code_rows.setdefault(question["code"], row)
            path = f"sections[{len(self.sections) - 1}].questions[{len(section['questions'])}]"
            self.locations[path] = _at("survey", row)
            for index, choice in enumerate(question.get("choices", [])):
                if choice_row := self.choice_rows.get((element.get("itemset"), choice["code"])):
                    self.locations[f"{path}.choices[{index}]"] = _at("choices", choice_row)
            section["questions"].append(question)
            self.condition(question, element, row, condition)

    def condition(self, question: dict, element: dict, row: int, inherited: tuple | None) -> None:
        relevant = element.get("bind", {}).get("relevant")
        if relevant and inherited is not None:
            message = _(
                "both this question and its group (row %(row)d) have a relevant; "
                "a Roundtable question has one condition"
            )
            self.refuse(row, message % {"row": inherited[1]})
        elif relevant:
            if show_if := self.show_if(relevant, row):
                question["show_if"] = show_if
                self.conditions.append((question, row))
        elif inherited is not None:
            question["show_if"] = dict(inherited[0])
            self.conditions.append((question, inherited[1]))

    def show_if(self, relevant: str, row: int) -> dict | None:
        for pattern, operator in RELEVANT_FORMS:
            if match := pattern.fullmatch(relevant.strip()):
                target, *literal = match.groups()
                if operator == Question.Operator.ANSWERED:
                    return {"question": target, "operator": operator, "value": None}
                quoted, double_quoted, number = literal
                value = (
                    _number(number)
                    if number is not None
                    else next(v for v in (quoted, double_quoted) if v is not None)
                )
                return {"question": target, "operator": operator, "value": value}
        forms = {"relevant": relevant, "forms": RELEVANT_HELP}
        self.refuse(
            row,
            _("the relevant “%(relevant)s” does not map to a Roundtable condition; these do: %(forms)s")
            % forms,
        )
        return None

    # -- one question ------------------------------------------------------------------------

    def question(self, element: dict, row: int) -> dict | None:
        kind, bind = element["type"], element.get("bind", {})
        if kind not in (*SELECT_TYPES, "integer", "decimal", "text", "range"):
            unsupported = {"type": self.raw_rows[row].get("type", kind), "known": SUPPORTED_TYPES}
            self.refuse(
                row, _("the type “%(type)s” is not supported; Roundtable imports %(known)s") % unsupported
            )
            return None
        question = {"code": str(element["name"]), "type": "", "text": self.texts(element.get("label"))}
        required = bind.get("required")
        question["required"] = bool(required) and _yes_no(required) is True
        if required and _yes_no(required) is None:
            self.refuse(row, _("required must be yes or no, not “%s”") % required)
        if help_text := self.texts(element.get("hint")):
            question["help_text"] = help_text
        constraint = bind.get("constraint")
        if kind in SELECT_TYPES:
            question["type"] = SELECT_TYPES[kind]
            question["choices"] = self.choices(element, row)
        elif kind == "text":
            multiline = "multiline" in str(element.get("control", {}).get("appearance", "")).split()
            question["type"] = Question.Type.LONG_TEXT if multiline else Question.Type.SHORT_TEXT
        elif kind == "range":
            parameters = element.get("parameters", {})
            start, end, step = (_number(parameters[key]) for key in ("start", "end", "step"))
            number = {"type": Question.Type.NUMBER, "min_value": start, "max_value": end}
            question.update(RANGE_TYPES.get((start, end, step), number))
        else:
            question["type"] = Question.Type.NUMBER
            question.update(self.bounds(constraint, row) if constraint else {})
            constraint = None
        if constraint:
            message = _("the constraint “%s” cannot be kept: only integer and decimal questions take bounds")
            self.refuse(row, message % constraint)
        return question

    def choices(self, element: dict, row: int) -> list[dict]:
        if element.get("choice_filter"):
            self.refuse(row, _("choice_filter is not supported"))
        choices = self.form.get("choices", {}).get(element.get("itemset"))
        if choices is None:
            message = _("choices from a file or an earlier answer (“%s”) are not supported")
            self.refuse(row, message % element.get("itemset"))
            return []
        # "select_one list or_other" adds an "other" choice; in Roundtable it asks for the text.
        or_other = str(self.raw_rows[row].get("type", "")).endswith("or_other")
        entries = []
        for choice in choices:
            entry = {"code": str(choice["name"]), "label": self.texts(choice.get("label"))}
            if or_other and entry["code"] == "other":
                entry["is_other"] = True
            entries.append(entry)
        return entries

    def bounds(self, constraint: str, row: int) -> dict:
        bounds = {}
        for part in re.split(r"\s+and\s+", constraint.strip()):
            match = BOUND.fullmatch(part.strip())
            if not match:
                message = _("the constraint “%s” is not a simple bound such as “. >= 0 and . <= 60”")
                self.refuse(row, message % constraint)
                return {}
            bounds["min_value" if match.group(1) == ">=" else "max_value"] = _number(match.group(2))
        return bounds


def document_from_xlsform(*, path: Path, slug: str | None = None) -> XLSFormDocument:
    """The ``roundtable-questionnaire`` document an XLSForm describes, with where each part came from.

    The settings sheet gives the title (``form_title``), the slug (``form_id``, unless ``slug`` is
    given; the file name without one), the default language and, from ``version``, the wave label
    (else "1"). Raises ``QuestionnaireInvalid`` with every problem, located by sheet and row.
    """
    try:
        definition = get_xlsform(xlsform=path)
        # workbook_to_json rewrites the rows it is given; the originals keep their row numbers.
        form = workbook_to_json(
            workbook_dict=copy.deepcopy(definition),
            fallback_form_name=definition.fallback_form_name,
            warnings=[],
        )
    except PyXFormError as error:
        raise QuestionnaireInvalid([_pyxform_problem(error)]) from error
    translation = _Translation(definition, form)
    translated = translation.translate()
    if translation.problems:
        raise QuestionnaireInvalid(translation.problems)
    slug_from_form = slug is None
    slug = slug or str(form["id_string"])
    title = translated["title"]
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "series": {"slug": slug, "title": title.get(translation.default, slug)[:200]},
        "slug": slug,
        "wave_label": str(form.get("version", "1")),
        "default_language": translation.default,
        "languages": translation.languages,
        "title": title,
        "sections": translated["sections"],
    }
    locations = {"languages": _at("survey", 1), **translation.locations}
    if definition.settings:
        keys = ["wave_label", "title", "default_language"] + (["series", "slug"] if slug_from_form else [])
        locations.update(dict.fromkeys(keys, _at("settings", 2)))
    return XLSFormDocument(document=document, locations=locations)
