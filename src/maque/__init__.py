"""Maque (麻雀): the system of record and rhythm keeper for a township's key work."""

__version__ = "0.1.0"
