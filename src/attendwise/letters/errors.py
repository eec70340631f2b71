"""The one error the letters package raises."""

from __future__ import annotations


class LetterError(ValueError):
    """A letter cannot be made; the message says what a person can do."""
