"""Letters: templates, merge fields, recipients and rendering (no Django)."""

from attendwise.letters.errors import LetterError
from attendwise.letters.kinds import LetterKind

__all__ = ["LetterError", "LetterKind"]
