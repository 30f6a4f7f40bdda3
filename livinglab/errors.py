"""One exception hierarchy for livinglab.

Lower layers raise these typed errors with structured fields; the CLI and the
pages turn them into a message and an exit code / ``st.error``.  Every problem a
user can fix names where it is (file and line, or row), the field, what is wrong
and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a user's file.

    Attributes
    ----------
    file : str
        The file as the user named it (e.g. ``pilots/energy.yaml``).
    line : int or None
        The 1-based physical line in that file, when known.
    field : str
        The field or column at fault (``metrics[1].aggregate``, ``value``).
    message : str
        What is wrong and what was expected.
    """

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        if not self.field:
            return f"{where}: {self.message}"
        return f"{where}: {self.field}: {self.message}"


class LivingLabError(Exception):
    """Base of every error a user can act on."""


class ProblemsError(LivingLabError):
    """Several problems collected before failing (lazy validation)."""

    def __init__(self, problems: Iterable[Problem], summary: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.summary = summary
        super().__init__(self.render())

    def render(self, limit: int | None = None) -> str:
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [self.summary] if self.summary else []
        lines += [str(p) for p in shown]
        if limit is not None and len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        return "\n".join(lines)


class SpecError(ProblemsError):
    """A pilot or instrument file is invalid."""


class ImportRejected(ProblemsError):
    """A data import was refused: nothing was written."""


class NotFoundError(LivingLabError):
    """A pilot, instrument or record named by the user does not exist."""


class SurveyError(LivingLabError):
    """A survey submission cannot be accepted (link used, consent missing...)."""


class UsageError(LivingLabError):
    """A command was given arguments that cannot work together or are out of range."""


class ConfigurationError(LivingLabError):
    """Settings are unusable (e.g. the default secret in production)."""


class StoreUnavailable(ConfigurationError):
    """The store cannot be reached (server down, wrong address, unreadable file)."""
