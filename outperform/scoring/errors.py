"""Exceptions raised by the scoring engine.

Every error is a ``ValueError`` so callers that only care about "bad input" can catch one
type; the subclasses say whose fault it is: the configuration (template, rule, formula) or
the data fed in for one cycle.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ConfigError", "FormulaError", "InputError", "RuleError", "ScoringError"]


class ScoringError(ValueError):
    """Base class of every error raised by :mod:`outperform.scoring`."""


class ConfigError(ScoringError):
    """A template, rule or grade scale is inconsistent.

    ``errors`` holds one readable message per problem (English, with the Chinese term in
    brackets) so a form can list them all instead of stopping at the first.
    """

    def __init__(self, errors: str | Iterable[str]) -> None:
        self.errors: tuple[str, ...] = (errors,) if isinstance(errors, str) else tuple(errors)
        super().__init__("; ".join(self.errors))


class RuleError(ConfigError):
    """A quantitative scoring rule is invalid (raised when the rule is constructed)."""


class FormulaError(ConfigError):
    """A formula does not parse or does not type-check.

    ``position`` is the 1-based column the problem was found at; ``message`` is the text
    without the position, ``code`` a stable machine-readable kind for translations.
    """

    def __init__(self, message: str, position: int, code: str = "syntax") -> None:
        self.message = message
        self.position = position
        self.code = code
        super().__init__(f"{message} at column {position}")


class InputError(ScoringError):
    """The data of one cycle (subjects, scores, metrics) does not fit the template."""
