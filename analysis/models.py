"""Analysis stores little of its own: access rights here; qualitative coding models join later."""

from django.db import models


class AnalysisAccess(models.Model):
    """Holds the analysis permissions; no table (``managed = False``)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_analysis", "Can see analysis dashboards and downloads")]

    def __str__(self) -> str:
        return "analysis access"
