"""The getter of a town's rhythm settings (kept beside the models; importable from here too)."""

from maque.rhythm.models import rhythm_settings

__all__ = ["rhythm_settings"]
