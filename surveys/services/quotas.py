"""Writes for fieldwork quotas: how many submissions staff want from one group."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_countries import countries

from ..geography import NORTH_SOUTH_CHOICES, country_group_table
from ..models import Quota, Sector, Survey


def quota_values(*, dimension: str) -> list[str]:
    """The values a quota on ``dimension`` may take, spelled as they are stored and compared:
    ISO country codes, UN region names from the geography table, north/south, sector codes."""
    if dimension == Quota.Dimension.COUNTRY:
        return [code for code, _name in countries]
    if dimension == Quota.Dimension.UN_REGION:
        return sorted(region for region in country_group_table()["region"].unique() if region)
    if dimension == Quota.Dimension.NORTH_SOUTH:
        return [code for code, _label in NORTH_SOUTH_CHOICES]
    return list(Sector.values)


def _unknown_value_message(dimension: str, value: str) -> str:
    if dimension == Quota.Dimension.COUNTRY:
        return _("“%(value)s” is not a country code. Use a two-letter ISO code such as BR or DE.") % {
            "value": value
        }
    messages = {
        Quota.Dimension.UN_REGION: _("“%(value)s” is not a UN region. Use one of: %(allowed)s."),
        Quota.Dimension.NORTH_SOUTH: _("“%(value)s” is neither north nor south. Use one of: %(allowed)s."),
        Quota.Dimension.SECTOR: _("“%(value)s” is not a sector code. Use one of: %(allowed)s."),
    }
    allowed = ", ".join(quota_values(dimension=dimension))
    return messages[dimension] % {"value": value, "allowed": allowed}


def quota_set(*, survey: Survey, dimension: str, value: str, target: int) -> Quota:
    """Create or change the quota for one group of ``survey``; returns it.

    ``dimension`` is a ``Quota.Dimension``; ``value`` a country code, a UN region name, north or
    south, or a sector code, in any case (stored as ``quota_values`` spells it). Raises
    ValidationError keyed by the field at fault, with a message saying what is allowed.
    """
    if dimension not in Quota.Dimension.values:
        raise ValidationError({"dimension": _("Choose a country, UN region, North/South or sector.")})
    if target < 1:
        raise ValidationError({"target": _("A target is at least 1; delete the quota to drop it.")})
    value = value.strip()
    stored = {allowed.casefold(): allowed for allowed in quota_values(dimension=dimension)}
    if value.casefold() not in stored:
        raise ValidationError({"value": _unknown_value_message(dimension, value)})
    quota, _created = Quota.objects.update_or_create(
        survey=survey,
        dimension=dimension,
        value=stored[value.casefold()],
        defaults={"target": target},
    )
    return quota


def quota_delete(*, survey: Survey, quota_id: int) -> bool:
    """Delete one of ``survey``'s quotas; False when it had none with that id (already gone)."""
    deleted, _by_model = Quota.objects.filter(survey=survey, pk=quota_id).delete()
    return bool(deleted)
