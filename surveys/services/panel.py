"""Panel import: experts read from a CSV or XLSX file, every row checked before anything is stored.

Columns and rules are documented in ``docs/panel-import.md``. Every cell is hostile text: it is
stripped, refused (never cut) when longer than its model field allows or when it holds a NUL
character, and never evaluated — a cell that looks like a spreadsheet formula is stored as text.
Neutralising such text belongs to the exports that write spreadsheets. Reading the file, within
its limits, is ``panel_files``.
"""

from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import get_language_info, override
from django.utils.translation import gettext as _
from django_countries import countries

from ..models import Expert, Invitation, Sector, Survey, language_codes
from .invitations import invitation_create
from .panel_files import PanelImportError, RowError, read_table

# Country, sector and language cells are looked up, never stored; longer text cannot match.
MAX_LOOKUP_CHARS = 100
BATCH_SIZE = 1000

# Column → the Expert field it sets, in the order previews show them.
FIELD_FOR_COLUMN = {
    "name": "name",
    "email": "email",
    "organisation": "organisation",
    "country": "country",
    "sector": "sector",
    "expertise": "expertise",
    "language": "preferred_language",
}
REQUIRED_COLUMNS = ("name", "email", "country", "sector")
LOOKUP_COLUMNS = ("country", "sector", "language")
# Headers are compared lower-cased, with hyphens and underscores as spaces.
HEADER_ALIASES = {"organization": "organisation", "e mail": "email", "preferred language": "language"}
# Names people write for a language, besides its code and its English and local names.
LANGUAGE_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "chinese": "zh-hans", "中文": "zh-hans"}

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PanelRow:
    """One valid row as it is (or would be) stored. An optional column the file lacks is None:
    the stored value is kept."""

    row: int
    action: str  # CREATE, UPDATE or UNCHANGED
    name: str
    email: str
    country: str
    sector: str
    organisation: str | None
    expertise: str | None
    preferred_language: str | None

    @property
    def country_name(self) -> str:
        return countries.name(self.country)

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label


@dataclass(frozen=True)
class PanelImportResult:
    """Valid rows with what happens to each, every error, and whether anything was stored."""

    rows: list[PanelRow]
    errors: list[RowError]
    ignored_columns: list[str]
    invited: int  # invitations created, or that would be
    stored: bool

    @property
    def created(self) -> int:
        return sum(row.action == CREATE for row in self.rows)

    @property
    def updated(self) -> int:
        return sum(row.action == UPDATE for row in self.rows)

    @property
    def unchanged(self) -> int:
        return sum(row.action == UNCHANGED for row in self.rows)

    @property
    def skipped(self) -> int:
        """Data rows left out because they have errors."""
        return len({error.row for error in self.errors if error.row > 1})


def panel_import(
    *,
    survey: Survey | None,
    file: IO[bytes],
    filename: str,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> PanelImportResult:
    """Create or update experts from a .csv or .xlsx file (``filename`` gives the format).

    Experts are matched by email, ignoring case, and updated, never duplicated. With ``survey``,
    each expert in the file without an invitation to it gets one. Any row error stores nothing,
    unless ``skip_invalid``: then the valid rows are stored. ``dry_run`` checks and counts only.
    All-or-nothing. Raises ``PanelImportError`` for a file that cannot be read at all.
    """
    table = read_table(file, filename)
    header_number, header = table[0]
    columns, ignored_columns, errors = _read_header(header_number, header)
    if errors:
        return PanelImportResult(
            rows=[], errors=errors, ignored_columns=ignored_columns, invited=0, stored=False
        )

    lookups = _Lookups()
    candidates: list[tuple[int, dict[str, str]]] = []
    first_row_for_email: dict[str, int] = {}
    for number, cells in table[1:]:
        values, row_errors = _clean_row(number, cells, columns, lookups)
        email_key = values.get("email", "").lower()
        if email_key in first_row_for_email:
            row_errors.append(
                RowError(
                    number,
                    "email",
                    _("%(value)s already appears on row %(row)d")
                    % {"value": _quoted(values["email"]), "row": first_row_for_email[email_key]},
                )
            )
        elif email_key:
            first_row_for_email[email_key] = number
        if row_errors:
            errors.extend(row_errors)
        else:
            candidates.append((number, values))

    store = not dry_run and (skip_invalid or not errors)
    try:
        with transaction.atomic():
            rows, invited = _match_and_store(candidates, columns, survey=survey, store=store)
    except IntegrityError as error:
        raise PanelImportError(
            _("Another change to the panel was saved at the same time, so nothing was imported. Try again.")
        ) from error
    return PanelImportResult(
        rows=rows, errors=errors, ignored_columns=ignored_columns, invited=invited, stored=store
    )


def _match_and_store(
    candidates: list[tuple[int, dict[str, str]]],
    columns: dict[str, int],
    *,
    survey: Survey | None,
    store: bool,
) -> tuple[list[PanelRow], int]:
    """Decide create/update/unchanged per row, write when ``store``; returns the rows and the
    number of invitations made (or that would be)."""
    existing = _experts_by_email([values["email"].lower() for _number, values in candidates], lock=store)
    # The email is how an expert is matched, so an update never changes it.
    updatable = [FIELD_FOR_COLUMN[column] for column in columns if column != "email"]
    rows, in_file, new, changed = [], [], [], []
    for number, values in candidates:
        expert = existing.get(values["email"].lower())
        if expert is None:
            expert = Expert(**values)
            new.append(expert)
            action = CREATE
        elif any(getattr(expert, field) != values[field] for field in updatable):
            for field in updatable:
                setattr(expert, field, values[field])
            changed.append(expert)
            action = UPDATE
        else:
            action = UNCHANGED
        in_file.append(expert)
        # What the expert will hold: None where the file is silent and a stored value is kept.
        optional = {
            field: getattr(expert, field) if field in values or action == CREATE else None
            for field in ("organisation", "expertise", "preferred_language")
        }
        rows.append(
            PanelRow(
                row=number,
                action=action,
                name=values["name"],
                email=values["email"],
                country=values["country"],
                sector=values["sector"],
                **optional,
            )
        )
    if store:
        Expert.objects.bulk_create(new, batch_size=BATCH_SIZE)
        Expert.objects.bulk_update(changed, updatable, batch_size=BATCH_SIZE)
    if survey is None:
        return rows, 0
    invited_ids = set(Invitation.objects.filter(survey=survey).values_list("expert_id", flat=True))
    to_invite = [expert for expert in in_file if expert.pk not in invited_ids]
    if store:
        for expert in to_invite:
            invitation_create(survey=survey, expert=expert)
    return rows, len(to_invite)


def _experts_by_email(email_keys: list[str], *, lock: bool) -> dict[str, Expert]:
    """Stored experts by lower-cased email, queried in batches (databases bound their parameters)."""
    found = {}
    for start in range(0, len(email_keys), BATCH_SIZE):
        queryset = Expert.objects.annotate(email_key=Lower("email")).filter(
            email_key__in=email_keys[start : start + BATCH_SIZE]
        )
        if lock:
            queryset = queryset.select_for_update()
        found.update({expert.email_key: expert for expert in queryset})
    return found


def _read_header(number: int, header: list[str]) -> tuple[dict[str, int], list[str], list[RowError]]:
    """Column name → cell index; unknown headers (ignored); errors for missing or repeated columns."""
    columns: dict[str, int] = {}
    ignored, errors = [], []
    for index, text in enumerate(header):
        name = _normalised(text)
        name = HEADER_ALIASES.get(name, name)
        if not name:
            continue
        if name not in FIELD_FOR_COLUMN:
            ignored.append(text.strip())
        elif name in columns:
            errors.append(RowError(number, name, _("the column appears more than once")))
        else:
            columns[name] = index
    errors.extend(
        RowError(number, column, _("the column is missing"))
        for column in REQUIRED_COLUMNS
        if column not in columns
    )
    return columns, ignored, errors


def _clean_row(
    number: int, cells: list[str], columns: dict[str, int], lookups: "_Lookups"
) -> tuple[dict[str, str], list[RowError]]:
    """Expert field → clean value for one row, and the row's errors."""
    values, errors = {}, []
    for column, index in columns.items():
        text = cells[index].strip() if index < len(cells) else ""
        try:
            values[FIELD_FOR_COLUMN[column]] = _clean_cell(column, text, lookups)
        except ValidationError as error:
            errors.append(RowError(number, column, error.messages[0]))
    return values, errors


def _clean_cell(column: str, text: str, lookups: "_Lookups") -> str:
    if "\x00" in text:
        raise ValidationError(_("the value contains a NUL character"))
    if column in LOOKUP_COLUMNS:
        limit = MAX_LOOKUP_CHARS
    else:
        limit = Expert._meta.get_field(FIELD_FOR_COLUMN[column]).max_length
    if len(text) > limit:
        raise ValidationError(
            _("the value is %(length)d characters long; at most %(limit)d are allowed")
            % {"length": len(text), "limit": limit}
        )
    if not text:
        if column in REQUIRED_COLUMNS:
            raise ValidationError(_("a value is required"))
        return settings.LANGUAGE_CODE if column == "language" else ""
    if column == "email":
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(
                _("%(value)s is not a valid email address") % {"value": _quoted(text)}
            ) from None
    if column in LOOKUP_COLUMNS:
        return lookups.code(column, text)
    return text


def _normalised(name: str) -> str:
    """Lower case, with hyphens, underscores and runs of spaces as one space."""
    return " ".join(name.lower().replace("_", " ").replace("-", " ").split())


class _Lookups:
    """Country, sector and language cells → stored codes, from tables built once per import."""

    def __init__(self) -> None:
        codes = language_codes()
        sectors = {_normalised(code): code for code in Sector.values}
        # The names django-countries' by_name() matches — each country's names and former names
        # (``shadowed_names``) in every interface language — in one table: by_name() walks every
        # country for each lookup, far too slow for 50 000 rows of mistyped names.
        self._countries: dict[str, str] = {}
        for language in codes:
            with override(language):
                sectors.update({_normalised(str(label)): code for code, label in Sector.choices})
                for code in countries.countries:
                    names = [name for _code, name in countries.translate_code(code)]
                    names += [str(name) for name in countries.shadowed_names.get(code, [])]
                    for name in names:
                        # A name two countries share (a translation slip) goes to the first, as in by_name().
                        self._countries.setdefault(_normalised(name), code)
        languages = {_normalised(code): code for code in codes}
        languages.update(
            {_normalised(alias): code for alias, code in LANGUAGE_ALIASES.items() if code in codes}
        )
        for code in codes:
            info = get_language_info(code)
            languages.update({_normalised(info["name"]): code, _normalised(info["name_local"]): code})
        self._tables = {"sector": sectors, "language": languages}

    def code(self, column: str, text: str) -> str:
        if column == "country":
            code = self._country_code(text)
            if code:
                return code
            raise ValidationError(
                _("%(value)s is not a country name or ISO 3166 code we know") % {"value": _quoted(text)}
            )
        table = self._tables[column]
        code = table.get(_normalised(text))
        if code is None:
            raise ValidationError(
                _("%(value)s is not a %(column)s we know; use one of %(choices)s")
                % {
                    "value": _quoted(text),
                    "column": column,
                    "choices": ", ".join(sorted(set(table.values()))),
                }
            )
        return code

    def _country_code(self, text: str) -> str:
        """The alpha-2 code for an ISO alpha-2 or alpha-3 code or a country name; "" if none."""
        if text.isascii() and text.isalpha() and len(text) in (2, 3):
            code = countries.alpha2(text)
            if code:
                return code
        return self._countries.get(_normalised(text), "")


def _quoted(text: str, limit: int = 60) -> str:
    return '"' + (text if len(text) <= limit else text[:limit] + "…") + '"'
