"""Seeded, realistic demo data for the three demo pilots in ``pilots/``.

``generate_demo`` writes, for each demo pilot, the three files of the public data
contracts (participants, observations, survey responses) so that the store imports
them exactly as it would a city's real exports. The data are simulated with effects
built in on purpose (``true_effects``), each chosen so that an honest evaluation earns
a different verdict:

- ``energy_feedback``: a large effect (-10 % kWh/day) on randomized households -> go.
  The season lowers everyone's consumption from winter to spring, so a before/after
  comparison alone would roughly triple the effect: the comparison group is what
  makes the estimate honest.
- ``shared_mobility``: volunteers take more shared trips, but drive a little *more*
  (some become carpool drivers) -> no go on the primary criterion.
- ``senior_procedures``: 40 testers, a modest gain and a SUS right at the 68 bar
  -> inconclusive -> extend.

Realism: household/person random effects, weekly patterns, a seasonal trend, a
common day-to-day weather shock, ~3 % missing readings, drop-outs (more in one
cohort), ~30 % survey non-response, and answers consistent with each person's latent
experience. Everything is vectorized with one ``numpy.random.default_rng`` stream per
pilot, so the same seed writes byte-identical files.

This module only writes files: it imports neither the store nor the statistics.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from livinglab.errors import NotFoundError
from livinglab.spec.loader import load_instruments, load_pilot
from livinglab.spec.models import Instrument, Pilot

DEMO_PILOTS: tuple[str, ...] = ("energy_feedback", "shared_mobility", "senior_procedures")
DEFAULT_SEED = 20260101

AGE_BANDS: tuple[str, ...] = ("18-34", "35-49", "50-64", "65-74", "75+")
NEIGHBOURHOODS: tuple[str, ...] = (
    "Centre-Ville",
    "Les Épinettes",
    "Issy-Val de Seine",
    "Corentin Celton",
    "La Ferme",
    "Les Hauts d'Issy",
    "Fort d'Issy",
)

PARTICIPANTS_HEADER = ("participant_id", "cohort")
OBSERVATIONS_HEADER = ("participant_id", "metric", "timestamp", "value")
RESPONSES_HEADER = ("participant_id", "instrument", "wave", "item", "answer")

MISSING_READING_RATE = 0.03
SURVEY_RESPONSE_RATE = 0.70

# The effects built into the data: the one source the generators read and that
# ``true_effects`` documents. Survey targets are the mean answer as a share of the
# scale's range (0 = every answer at the bottom, 1 = at the top): for SUS that share
# times 100 is the expected SUS score.
_TRUE_EFFECTS: dict[str, dict[str, Any]] = {
    "energy_feedback": {
        "verdict": "go",
        "why": (
            "Feedback cuts consumption by 10 % against the counterfactual (about -0.9 "
            "kWh/day in spring, 8 % of the winter baseline), beyond the 5 % worth "
            "acting on, with 150 households per group randomized within matched "
            "pairs; comfort (hours below 19 °C) worsens by about 0.05 h/day, well "
            "inside the 0.5 h/day margin."
        ),
        "design": "did",
        "metrics": {
            "kwh_per_day": {"effect": -0.10, "scale": "relative", "sd_between": 0.04},
            "evening_peak_share": {"effect": -0.025, "scale": "absolute", "sd_between": 0.02},
            "cold_hours": {"effect": 0.15, "scale": "relative"},
        },
        "seasonal_change": {"kwh_per_day": "about -15 % from Jan-Feb to Mar-Jun, all groups"},
        "dropout_rate": {"test": 0.09, "control": 0.05},
        "surveys": {
            "trust": {
                "baseline": {"test": 0.58, "control": 0.58},
                "after": {"test": 0.66, "control": 0.58},
            },
            "nps": {"after": {"test": 0.78}},
        },
    },
    "shared_mobility": {
        "verdict": "no_go",
        "why": (
            "App users take about 0.35 more shared trips a day, but their car trips "
            "as driver rise by 6 % instead of falling by the 10 % worth acting on: "
            "the interval for the primary criterion lies entirely short of it."
        ),
        "design": "did",
        "metrics": {
            "car_trips": {"effect": 0.06, "scale": "relative"},
            "shared_trips": {"effect": 0.35, "scale": "absolute"},
        },
        "selection": "volunteers drive less to begin with (1.7 vs 2.0 car trips/day)",
        "dropout_rate": {"test": 0.12, "control": 0.05},
        "surveys": {
            "umux_lite": {"after": {"test": 0.70}},
            "nps": {"after": {"test": 0.66}},
        },
    },
    "senior_procedures": {
        "verdict": "extend",
        "why": (
            "The redesigned portal raises task success by about 8 points, short of "
            "the 10 worth acting on, and its SUS is about 69 against 68 required. With "
            "40 testers (four attempts each) and ~25 SUS answers neither is settled: "
            "the SUS interval straddles 68 and the task-success interval spans 10 "
            "points, so the pilot needs more testers."
        ),
        "design": "pre_post",
        "metrics": {
            "task_success": {
                "effect": 0.08,
                "scale": "absolute",
                "note": "expected gain in the share of procedures completed, from logit shifts",
                "logit_shift": {"under_75": 0.55, "75+": 0.30},
            },
            "time_on_task": {
                "effect": -0.08,
                "scale": "relative",
                "note": "per attempt; about -10 % overall, as failed attempts take longer",
            },
        },
        "dropout_rate": {"test": 0.10},
        "surveys": {"sus": {"after": {"test": 0.69}}},
    },
}

# Who answered each pilot's call: deliberately unlike the city (volunteers are
# younger, the energy panel over-represents the Fort d'Issy eco-district), so that
# the representativeness check has something to say.
_MIX: dict[str, dict[str, tuple[Sequence[float], Sequence[float]]]] = {
    "energy_feedback": {
        role: (
            (0.15, 0.30, 0.28, 0.15, 0.12),
            (0.14, 0.10, 0.16, 0.14, 0.09, 0.15, 0.22),
        )
        for role in ("test", "control")
    },
    "shared_mobility": {
        "test": ((0.40, 0.33, 0.18, 0.06, 0.03), (0.18, 0.10, 0.24, 0.18, 0.08, 0.12, 0.10)),
        "control": ((0.28, 0.30, 0.23, 0.11, 0.08), (0.17, 0.12, 0.18, 0.16, 0.10, 0.15, 0.12)),
    },
    "senior_procedures": {
        "test": ((0.08, 0.10, 0.20, 0.34, 0.28), (0.18, 0.14, 0.14, 0.18, 0.10, 0.14, 0.12)),
    },
}

_ID_PREFIX = {"energy_feedback": "nrj", "shared_mobility": "mob", "senior_procedures": "sen"}


@dataclass(frozen=True)
class DemoFiles:
    """The three files written for one pilot, in the public CSV formats."""

    participants: Path
    observations: Path
    responses: Path


def true_effects() -> dict[str, dict[str, Any]]:
    """The effects built into the demo data, by pilot, and the verdict each should earn.

    Returns
    -------
    dict
        ``{pilot_id: {"verdict", "why", "design", "metrics": {metric_id: {"effect",
        "scale", ...}}, "dropout_rate": {role: rate}, "surveys": {instrument: {wave:
        {role: target}}}}}``. A ``relative`` effect multiplies the participant's
        counterfactual value by ``1 + effect``; an ``absolute`` one adds ``effect`` in
        the metric's unit. Survey targets are the expected mean answer as a share of
        the scale's range (times 100: the expected SUS score).
    """
    return copy.deepcopy(_TRUE_EFFECTS)


def generate_demo(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    pilots_dir: Path | None = None,
    surveys_dir: Path | None = None,
) -> dict[str, DemoFiles]:
    """Write the demo pilots' participants, observations and survey responses.

    Parameters
    ----------
    out_dir : Path
        Folder that receives one sub-folder per pilot (``<out_dir>/<pilot_id>/``).
    seed : int
        Seed of the generator: the same seed writes byte-identical files.
    scale : float
        Multiplies every cohort's target size (``0.1`` for a quick test).
    pilots_dir, surveys_dir : Path, optional
        Where the demo pilots and their instruments are read (default: the folders
        of the settings).

    Returns
    -------
    dict of str to DemoFiles
        The files written, by pilot id, in the order of ``DEMO_PILOTS``.

    Raises
    ------
    ValueError
        ``scale`` is not positive.
    NotFoundError
        A demo pilot file or an instrument it plans is missing.
    SpecError
        A demo pilot or an instrument file is invalid.
    """
    if not scale > 0:
        raise ValueError(f"The 'scale' of the demo must be > 0. Got {scale!r} instead.")
    if pilots_dir is None or surveys_dir is None:
        from livinglab.settings import get_settings

        settings = get_settings()
        pilots_dir = pilots_dir or settings.pilots_dir
        surveys_dir = surveys_dir or settings.surveys_dir
    instruments = load_instruments(surveys_dir)
    written: dict[str, DemoFiles] = {}
    for index, pilot_id in enumerate(DEMO_PILOTS):
        pilot = _demo_pilot(Path(pilots_dir), pilot_id)
        rng = np.random.default_rng([seed, index])
        people, observations = _GENERATORS[pilot_id](rng, pilot, scale)
        responses = _responses(rng, pilot, instruments, people)
        written[pilot_id] = _write(Path(out_dir) / pilot_id, pilot, people, observations, responses)
    return written


def _demo_pilot(pilots_dir: Path, pilot_id: str) -> Pilot:
    path = pilots_dir / f"{pilot_id}.yaml"
    if not path.is_file():
        raise NotFoundError(
            f"The demo needs the pilot file {path}, which does not exist (the demo pilots "
            f"are {', '.join(DEMO_PILOTS)} in the project's pilots/ folder)."
        )
    return load_pilot(path)


# --- participants and calendar ----------------------------------------------


def _cohort_size(cohort_target: int | None, scale: float) -> int:
    return max(2, round((cohort_target or 50) * scale))


def _participants(rng: np.random.Generator, pilot: Pilot, scale: float) -> pd.DataFrame:
    """Participants with their cohort, role and attributes, ids in random cohort order.

    Age bands follow recruitment quotas (the cohort's mix, rounded); neighbourhoods
    are drawn at random from the cohort's mix.
    """
    cohorts = list(pilot.cohorts)
    sizes = [_cohort_size(c.target_size, scale) for c in cohorts]
    frames = []
    for cohort, size in zip(cohorts, sizes, strict=True):
        age_mix, place_mix = _MIX[pilot.id][cohort.role]
        frames.append(
            pd.DataFrame(
                {
                    "cohort": cohort.id,
                    "role": cohort.role,
                    "age_band": rng.permutation(np.repeat(AGE_BANDS, _quotas(age_mix, size))),
                    "neighbourhood": rng.choice(NEIGHBOURHOODS, size, p=_normalized(place_mix)),
                }
            )
        )
    people = pd.concat(frames, ignore_index=True)
    people = people.iloc[rng.permutation(len(people))].reset_index(drop=True)
    ids = [f"{_ID_PREFIX[pilot.id]}-{i:04d}" for i in range(1, len(people) + 1)]
    return people.assign(participant_id=ids)


def _quotas(shares: Sequence[float], size: int) -> np.ndarray:
    """``size`` split by ``shares``, rounded by largest remainder (the counts sum to size)."""
    exact = _normalized(shares) * size
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: size - counts.sum()]] += 1
    return counts


def _normalized(shares: Sequence[float]) -> np.ndarray:
    array = np.asarray(shares, dtype=float)
    return array / array.sum()


@dataclass(frozen=True)
class _Calendar:
    """The pilot's days (baseline then intervention; a gap between them is skipped)."""

    days: np.ndarray  # datetime64[D]
    intervention: np.ndarray  # bool

    @classmethod
    def of(cls, pilot: Pilot) -> _Calendar:
        spans = [pilot.periods.baseline, pilot.periods.intervention]
        parts = [
            np.arange(np.datetime64(p.start), np.datetime64(p.end) + np.timedelta64(1, "D"))
            for p in spans
        ]
        flags = [np.zeros(len(parts[0]), bool), np.ones(len(parts[1]), bool)]
        return cls(np.concatenate(parts), np.concatenate(flags))

    @property
    def weekday(self) -> np.ndarray:
        """0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday)."""
        return (self.days.astype(np.int64) + 3) % 7

    @property
    def day_of_year(self) -> np.ndarray:
        years = self.days.astype("datetime64[Y]")
        return (self.days - years.astype("datetime64[D]")).astype(np.int64) + 1

    @property
    def first_intervention_day(self) -> int:
        return int(np.argmax(self.intervention))

    def winter(self, peak_day: int = 20) -> np.ndarray:
        """1 in late January, about -1 in late July: the heating season's shape."""
        return np.cos(2 * np.pi * (self.day_of_year - peak_day) / 365.25)

    def stamps(self) -> np.ndarray:
        """Each day's midnight UTC, as the public format writes it."""
        return _iso_utc(self.days)


def _iso_utc(moments: np.ndarray) -> np.ndarray:
    """ISO 8601 UTC strings (``2026-03-02T00:00:00Z``) of datetime64 values."""
    seconds: np.ndarray = moments.astype("datetime64[s]")
    return np.char.add(np.datetime_as_string(seconds, unit="s"), "Z")


def _weather(rng: np.random.Generator, n_days: int, sd: float) -> np.ndarray:
    """A shared day-to-day shock, smoothed over a few days like real weather spells."""
    raw = rng.normal(0.0, sd, n_days + 4)
    return np.convolve(raw, np.ones(5) / np.sqrt(5), mode="valid")


def _dropout_day(
    rng: np.random.Generator, people: pd.DataFrame, calendar: _Calendar, rates: Mapping[str, float]
) -> np.ndarray:
    """Index of the first day without readings (len(days) for those who stayed)."""
    n_days = len(calendar.days)
    rate = people["role"].map(rates).to_numpy(float)
    dropped = rng.random(len(people)) < rate
    first = calendar.first_intervention_day + 7
    last = max(first + 1, n_days - 14)
    day = rng.integers(first, last, size=len(people))
    return np.where(dropped, day, n_days)


@dataclass(frozen=True)
class _Grid:
    """Every participant x day, flattened participant-major."""

    person: np.ndarray
    day: np.ndarray

    @classmethod
    def of(cls, n_people: int, n_days: int) -> _Grid:
        return cls(np.repeat(np.arange(n_people), n_days), np.tile(np.arange(n_days), n_people))


def _kept(rng: np.random.Generator, grid: _Grid, dropout_day: np.ndarray) -> np.ndarray:
    """Readings that reach the store: not missing, not after the participant dropped out."""
    missing = rng.random(len(grid.person)) < MISSING_READING_RATE
    return ~missing & (grid.day < dropout_day[grid.person])


def _long(
    people: pd.DataFrame,
    person: np.ndarray,
    stamps: np.ndarray,
    values: Mapping[str, np.ndarray],
) -> pd.DataFrame:
    """Observations in the public long format, one row per participant x metric x time."""
    ids = people["participant_id"].to_numpy()
    frames = [
        pd.DataFrame(
            {"participant_id": ids[person], "metric": metric, "timestamp": stamps, "value": value}
        )
        for metric, value in values.items()
    ]
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values(["participant_id", "timestamp", "metric"], kind="stable")


def _effect(pilot_id: str, metric: str) -> float:
    return float(_TRUE_EFFECTS[pilot_id]["metrics"][metric]["effect"])


def _by_age(people: pd.DataFrame, factors: Sequence[float]) -> np.ndarray:
    return people["age_band"].map(dict(zip(AGE_BANDS, factors, strict=True))).to_numpy(float)


# --- energy_feedback -----------------------------------------------------------


def _energy(
    rng: np.random.Generator, pilot: Pilot, scale: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    people = _participants(rng, pilot, scale)
    calendar = _Calendar.of(pilot)
    n, n_days = len(people), len(calendar.days)

    # Household level (kWh/day) and how much of it is heating: electric heating makes
    # the winter-to-spring fall, and cold spells, much stronger.
    level = rng.lognormal(np.log(9.0), 0.3, n) * _by_age(people, (0.8, 1.15, 1.1, 0.95, 0.9))
    electric = rng.random(n) < 0.35
    amplitude = np.clip(0.15 + 0.20 * electric + rng.normal(0, 0.02, n), 0.02, None)
    saving = rng.normal(-_effect(pilot.id, "kwh_per_day"), 0.04, n)
    # Households were randomized within pairs matched on heating type and last
    # winter's consumption, as energy-feedback trials do to balance the groups.
    people = _matched_pairs(rng, pilot, people, np.lexsort((level, electric)))

    grid = _Grid.of(n, n_days)
    p, d = grid.person, grid.day
    test = (people["role"] == "test").to_numpy()
    treated = test[p] & calendar.intervention[d]
    weekend = (calendar.weekday >= 5)[d]
    winter = calendar.winter()[d]
    weather = _weather(rng, n_days, 0.03)[d]
    kwh = (
        level[p]
        * (1 + amplitude[p] * winter)
        * np.where(weekend, 1.08, 1.0)
        * np.exp(weather * (1 + 4 * amplitude[p]) + rng.normal(0, 0.15, len(p)))
        * np.where(treated, 1 - saving[p], 1.0)
    )

    # Evening peak: lighting and heating make it heavier in winter, in some homes
    # more than others; households shift different amounts of it to off-peak hours.
    peak_base = np.clip(rng.normal(0.29, 0.04, n), 0.12, 0.5)
    peak_winter = np.clip(rng.normal(0.03, 0.015, n), 0, None)
    peak_shift = rng.normal(_effect(pilot.id, "evening_peak_share"), 0.02, n)
    peak = (
        peak_base[p]
        + peak_winter[p] * winter
        - np.where(weekend, 0.02, 0.0)
        + rng.normal(0, 0.035, len(p))
        + np.where(treated, peak_shift[p], 0.0)
    )

    # Hours below 19 °C: only in the heating season, more in poorly heated homes and
    # in cold spells; feedback households turn the heating down a little.
    coldness = np.clip(winter + 8 * weather, 0, None) ** 1.5
    cold_rate = rng.gamma(3.0, 1.6 / 3.0, n) * _by_age(people, (1.0, 0.8, 0.9, 1.2, 1.4))
    cold_mu = cold_rate[p] * coldness * np.where(treated, 1 + _effect(pilot.id, "cold_hours"), 1)
    cold = np.minimum(rng.poisson(cold_mu), 24)

    dropout = _dropout_day(rng, people, calendar, _TRUE_EFFECTS[pilot.id]["dropout_rate"])
    keep = _kept(rng, grid, dropout)
    stamps = calendar.stamps()[d[keep]]
    values = {
        "kwh_per_day": np.round(kwh[keep], 2),
        "evening_peak_share": np.round(np.clip(peak[keep], 0.02, 0.95), 3),
        "cold_hours": cold[keep].astype(float),
    }
    people = people.assign(
        _dropped=dropout < n_days,
        _latent=_standardized(saving),
    )
    return people, _long(people, p[keep], stamps, values)


def _matched_pairs(
    rng: np.random.Generator, pilot: Pilot, people: pd.DataFrame, order: np.ndarray
) -> pd.DataFrame:
    """Reassign a test and a control cohort of equal size within consecutive pairs of ``order``.

    Any other cohort layout keeps its simple random assignment.
    """
    test = [c for c in pilot.cohorts if c.role == "test"]
    control = [c for c in pilot.cohorts if c.role == "control"]
    sizes = people["cohort"].value_counts()
    if len(test) != 1 or len(control) != 1 or len(pilot.cohorts) != 2:
        return people
    if sizes.get(test[0].id) != sizes.get(control[0].id) or len(order) % 2:
        return people
    pairs = order.reshape(-1, 2)
    first_is_test = rng.random(len(pairs)) < 0.5
    is_test = np.zeros(len(people), bool)
    is_test[np.where(first_is_test, pairs[:, 0], pairs[:, 1])] = True
    return people.assign(
        cohort=np.where(is_test, test[0].id, control[0].id),
        role=np.where(is_test, "test", "control"),
    )


def _standardized(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


# --- shared_mobility -------------------------------------------------------------


def _mobility(
    rng: np.random.Generator, pilot: Pilot, scale: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    people = _participants(rng, pilot, scale)
    calendar = _Calendar.of(pilot)
    n, n_days = len(people), len(calendar.days)
    grid = _Grid.of(n, n_days)
    p, d = grid.person, grid.day
    test = (people["role"] == "test").to_numpy()
    treated = test[p] & calendar.intervention[d]
    week = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.85, 0.55])
    week_mean = week.mean()
    weekday_factor = week[calendar.weekday][d]
    spring = (np.arange(n_days) / max(n_days - 1, 1))[d]  # 0 in February, 1 at the end
    rain = _weather(rng, n_days, 0.08)[d]

    # Volunteers already drive less than the comparison panel: a level difference
    # that the difference-in-differences removes and a two-group comparison would not.
    car_mean = np.where(test, 1.7, 2.0) * _by_age(people, (0.9, 1.1, 1.05, 0.85, 0.6))
    car_rate = rng.gamma(2.5, car_mean / 2.5)
    car_mu = (
        car_rate[p]
        * weekday_factor
        * (1 - 0.07 * spring)
        * np.exp(rain)
        * rng.gamma(4.0, 0.25, len(p))
        * np.where(treated, 1 + _effect(pilot.id, "car_trips"), 1.0)
    )

    shared_rate = rng.gamma(1.5, np.where(test, 0.25, 0.15) / 1.5)
    shared_gain = rng.gamma(2.0, _effect(pilot.id, "shared_trips") / 2.0, n)
    shared_mu = (
        shared_rate[p] * np.where(weekday_factor < 1, 1.2, 1.0) * (1 + 0.2 * spring) * np.exp(-rain)
        # The gain follows the week's rhythm and averages ``effect`` per day.
        + np.where(treated, shared_gain[p], 0.0) * weekday_factor / week_mean
    )

    dropout = _dropout_day(rng, people, calendar, _TRUE_EFFECTS[pilot.id]["dropout_rate"])
    keep = _kept(rng, grid, dropout)
    stamps = calendar.stamps()[d[keep]]
    values = {
        "car_trips": rng.poisson(car_mu)[keep].astype(float),
        "shared_trips": rng.poisson(shared_mu)[keep].astype(float),
    }
    people = people.assign(_dropped=dropout < n_days, _latent=_standardized(shared_gain))
    return people, _long(people, p[keep], stamps, values)


# --- senior_procedures ---------------------------------------------------------

_ATTEMPTS_PER_PERIOD = 4
# Logit of success of each procedure for an average 65-74 tester on the current
# portal: parking permit renewal, seniors' meal service, seniors' outing booking,
# housing-aid form (the hardest).
_PROCEDURE_EASE = np.array([0.7, 0.5, 0.9, -0.4])


def _seniors(
    rng: np.random.Generator, pilot: Pilot, scale: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    people = _participants(rng, pilot, scale)
    n = len(people)
    calendar = _Calendar.of(pilot)
    k = _ATTEMPTS_PER_PERIOD
    # Each tester attempts k procedures per period (one of each, in a random order),
    # on working days, never on a period's last day.
    person = np.repeat(np.arange(n), 2 * k)
    in_intervention = np.tile(np.repeat([False, True], k), n)
    procedure = np.argsort(rng.random((2 * n, k)), axis=1).ravel() % len(_PROCEDURE_EASE)
    day = _attempt_days(rng, calendar, in_intervention)
    minute = rng.integers(8 * 60, 16 * 60, len(person))  # office hours, 08:00-16:00 UTC
    stamps = _iso_utc(calendar.days[day] + minute.astype("timedelta64[m]"))

    ability = rng.normal(0, 0.8, n) + _by_age(people, (1.0, 0.8, 0.4, 0.0, -0.5))
    shifts = _TRUE_EFFECTS[pilot.id]["metrics"]["task_success"]["logit_shift"]
    gain = np.where(people["age_band"].to_numpy() == "75+", shifts["75+"], shifts["under_75"])
    logit = 0.2 + ability[person] + _PROCEDURE_EASE[procedure] + in_intervention * gain[person]
    success = rng.random(len(person)) < 1 / (1 + np.exp(-logit))

    age_slowness = _by_age(people, (0.75, 0.85, 0.95, 1.05, 1.25))
    seconds = (
        330
        * age_slowness[person]
        * np.exp(-0.15 * ability[person] + rng.normal(0, 0.35, len(person)))
        * np.where(success, 1.0, 1.3)
        * np.where(in_intervention, 1 + _effect(pilot.id, "time_on_task"), 1.0)
    )

    # Drop-outs skip the after session entirely.
    dropped = rng.random(n) < _TRUE_EFFECTS[pilot.id]["dropout_rate"]["test"]
    missing = rng.random(len(person)) < MISSING_READING_RATE
    keep = ~missing & ~(dropped[person] & in_intervention)
    values = {
        "task_success": success[keep].astype(float),
        "time_on_task": np.round(seconds[keep]),
    }
    people = people.assign(_dropped=dropped, _latent=_standardized(ability))
    return people, _long(people, person[keep], stamps[keep], values)


def _attempt_days(
    rng: np.random.Generator, calendar: _Calendar, in_intervention: np.ndarray
) -> np.ndarray:
    """A working day of the right period (its last day excluded) for each attempt."""
    days = np.arange(len(calendar.days))
    choices = []
    for flag in (False, True):
        in_period = calendar.intervention == flag
        last = days[in_period].max()
        choices.append(days[in_period & (calendar.weekday < 5) & (days != last)])
    pick = rng.random(len(in_intervention))
    out = np.empty(len(in_intervention), dtype=np.int64)
    for flag, pool in zip((False, True), choices, strict=True):
        here = in_intervention == flag
        out[here] = pool[(pick[here] * len(pool)).astype(np.int64)]
    return out


_GENERATORS = {
    "energy_feedback": _energy,
    "shared_mobility": _mobility,
    "senior_procedures": _seniors,
}


# --- survey responses -----------------------------------------------------------


def _responses(
    rng: np.random.Generator,
    pilot: Pilot,
    instruments: Mapping[str, Instrument],
    people: pd.DataFrame,
) -> pd.DataFrame:
    """Answers to every planned survey wave, from each person's latent experience."""
    targets = _TRUE_EFFECTS[pilot.id]["surveys"]
    frames = []
    for plan in pilot.surveys:
        if plan.instrument not in instruments:
            raise NotFoundError(
                f"The demo pilot '{pilot.id}' plans survey '{plan.instrument}', which is not "
                f"among the instruments found (expected one of {sorted(instruments)})."
            )
        instrument = instruments[plan.instrument]
        for wave in plan.waves:
            eligible = people["cohort"].isin(plan.cohorts).to_numpy()
            if wave == "after":
                eligible = eligible & ~people["_dropped"].to_numpy()
            answers = rng.random(len(people)) < SURVEY_RESPONSE_RATE
            respondents = people[eligible & answers]
            wave_targets = targets.get(plan.instrument, {}).get(wave, {})
            mean = respondents["role"].map(wave_targets).fillna(0.6).to_numpy(float)
            # The treated person's own experience colours the answers after.
            personal = (
                0.05
                * respondents["_latent"].to_numpy()
                * ((wave == "after") & (respondents["role"] == "test").to_numpy())
            )
            latent = mean + personal + rng.normal(0, 0.13, len(respondents))
            frames.append(_answers(rng, instrument, wave, respondents["participant_id"], latent))
    columns = list(RESPONSES_HEADER)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _answers(
    rng: np.random.Generator,
    instrument: Instrument,
    wave: str,
    participant_ids: pd.Series,
    latent: np.ndarray,
) -> pd.DataFrame:
    """One answer per respondent x item: ``latent`` is the share of the scale's range."""
    items = instrument.item_ids
    low, high = instrument.scale.min, instrument.scale.max
    share = np.clip(latent[:, None] + rng.normal(0, 0.12, (len(latent), len(items))), 0, 1)
    answer = np.rint(low + (high - low) * share).astype(int)
    reverse = np.array([item.reversed for item in instrument.items])
    answer = np.where(reverse[None, :], low + high - answer, answer)
    return pd.DataFrame(
        {
            "participant_id": np.repeat(participant_ids.to_numpy(), len(items)),
            "instrument": instrument.id,
            "wave": wave,
            "item": np.tile(items, len(latent)),
            "answer": answer.ravel(),
        }
    )


# --- writing -------------------------------------------------------------------


def _write(
    folder: Path,
    pilot: Pilot,
    people: pd.DataFrame,
    observations: pd.DataFrame,
    responses: pd.DataFrame,
) -> DemoFiles:
    folder.mkdir(parents=True, exist_ok=True)
    files = DemoFiles(
        participants=folder / "participants.csv",
        observations=folder / "observations.csv",
        responses=folder / "responses.csv",
    )
    participant_columns = [*PARTICIPANTS_HEADER, *pilot.attributes]
    _write_csv(people[participant_columns], files.participants)
    _write_csv(observations[list(OBSERVATIONS_HEADER)], files.observations)
    _write_csv(responses[list(RESPONSES_HEADER)], files.responses)
    return files


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # Written beside, then renamed: a reader never sees half a file.
    partial = path.with_name(path.name + ".partial")
    frame.to_csv(partial, index=False, lineterminator="\n", float_format="%.6g", encoding="utf-8")
    os.replace(partial, path)


# --- in-memory runs with chosen effects -------------------------------------------


def simulate_pilot(
    rng: np.random.Generator,
    pilot: Pilot,
    instruments: Mapping[str, Instrument],
    *,
    effects: Mapping[str, float] | None = None,
    scale: float = 1.0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One run of a demo pilot's generator, in memory, with chosen true effects.

    The same generator as :func:`generate_demo` (cohorts, calendar, noise, drop-outs,
    surveys), for simulations of the verdict's operating characteristics
    (:mod:`livinglab.operating`). Not thread-safe: the effects are swapped into the
    module's table for the duration of the call.

    Parameters
    ----------
    rng : numpy.random.Generator
        The run's random stream.
    pilot : Pilot
        One of the demo pilots (``DEMO_PILOTS``); its id selects the generator.
    instruments : mapping of str to Instrument
        The instruments its surveys plan.
    effects : mapping of str to float, optional
        Metric id -> true effect replacing the built-in one: the ``effect`` of
        :func:`true_effects` (relative or absolute, as its ``scale`` says), or, for a
        metric generated from logit shifts (``task_success``), the factor multiplying
        those shifts (0: no effect, 1: the built-in effect).
    scale : float
        Multiplies every cohort's target size.

    Returns
    -------
    people : DataFrame
        One row per participant: ``participant_id, cohort, role``, the attributes,
        ``_dropped`` (left before the end) and ``_latent`` (personal experience, z).
    observations : DataFrame
        Readings in the public long format (``OBSERVATIONS_HEADER``).
    responses : DataFrame
        Survey answers in the public long format (``RESPONSES_HEADER``).

    Raises
    ------
    ValueError
        ``pilot`` is not a demo pilot, ``effects`` names a metric the demo does not
        generate with an effect, or ``scale`` is not positive.
    """
    if pilot.id not in _GENERATORS:
        raise ValueError(
            f"The 'pilot' must be one of the demo pilots {DEMO_PILOTS}. Got {pilot.id!r} instead."
        )
    if not scale > 0:
        raise ValueError(f"The 'scale' of the demo must be > 0. Got {scale!r} instead.")
    built_in = _TRUE_EFFECTS[pilot.id]
    chosen = copy.deepcopy(built_in)
    for metric, value in (effects or {}).items():
        spec = chosen["metrics"].get(metric)
        if spec is None:
            raise ValueError(
                f"The demo pilot '{pilot.id}' generates effects on {sorted(chosen['metrics'])}. "
                f"Got {metric!r} instead."
            )
        if "logit_shift" in spec:
            spec["logit_shift"] = {k: float(value) * v for k, v in spec["logit_shift"].items()}
        else:
            spec["effect"] = float(value)
    _TRUE_EFFECTS[pilot.id] = chosen
    try:
        people, observations = _GENERATORS[pilot.id](rng, pilot, scale)
    finally:
        _TRUE_EFFECTS[pilot.id] = built_in
    return people, observations, _responses(rng, pilot, instruments, people)
