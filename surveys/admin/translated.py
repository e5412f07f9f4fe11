"""One input per interface language for the ``{language: text}`` fields of questionnaires."""

from django import forms
from django.conf import settings

TRANSLATED_FIELDS = {
    "Survey": ("title", "description", "consent_text"),
    "Section": ("title", "intro"),
    "Question": ("text", "help_text"),
    "Choice": ("label",),
}
LONG_FIELDS = {"description", "consent_text", "intro", "help_text"}


class TranslatedTextWidget(forms.MultiWidget):
    """One text input per language, each labelled with its language for screen readers."""

    def __init__(self, long: bool = False):
        self.languages = [code for code, _name in settings.LANGUAGES]
        widgets = {}
        for code, name in settings.LANGUAGES:
            attrs = {
                "aria-label": str(name),
                "placeholder": str(name),
                "lang": code,
                "class": "rt-translated",
            }
            widgets[code] = (
                forms.Textarea(attrs={**attrs, "rows": 3, "cols": 60})
                if long
                else forms.TextInput(attrs={**attrs, "size": 60})
            )
        super().__init__(widgets)

    def decompress(self, value):
        value = value or {}
        return [value.get(code, "") for code in self.languages]


class TranslatedTextField(forms.MultiValueField):
    """Cleans to ``{language: text}``, leaving out blank languages."""

    def __init__(self, *, long: bool = False, required: bool = False, **kwargs):
        languages = [code for code, _name in settings.LANGUAGES]
        fields = [forms.CharField(required=False, strip=True) for _code in languages]
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        super().__init__(
            fields,
            widget=TranslatedTextWidget(long=long),
            required=required,
            require_all_fields=False,
            **kwargs,
        )
        self.languages = languages

    def compress(self, data_list):
        return {code: text for code, text in zip(self.languages, data_list or [], strict=False) if text}


class TranslatedFieldsMixin:
    """For model forms: translated fields get a per-language input, and texts in languages
    the interface does not list (for example from an XLSForm) are kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TRANSLATED_FIELDS.get(self._meta.model.__name__, ()):
            if name in self.fields:
                old = self.fields[name]
                self.fields[name] = TranslatedTextField(
                    long=name in LONG_FIELDS, required=old.required, label=old.label, help_text=old.help_text
                )

    def clean(self):
        cleaned = super().clean()
        known = {code for code, _name in settings.LANGUAGES}
        for name in TRANSLATED_FIELDS.get(self._meta.model.__name__, ()):
            previous = getattr(self.instance, name, None) or {}
            if name in cleaned and isinstance(previous, dict):
                cleaned[name] = {**{k: v for k, v in previous.items() if k not in known}, **cleaned[name]}
        return cleaned
