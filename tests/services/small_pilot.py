"""A pilot whose data holds small cells: a comparison cohort of 3 households, a subgroup
of 2 seniors among 12 testers, and one survey respondent. Shared by the JSON / dossier
tests and the page test."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from store_factories import INSTRUMENT, PILOT

PRIVACY = {
    "controller": "Ville d'Issy-les-Moulineaux",
    "purpose": "Mesurer la consommation.",
    "retention_days": 365,
    "dpo_contact": "dpo@ville.example",
    "contact": "livinglab@ville.example",
}
TESTERS = [f"t{i:02d}" for i in range(1, 13)]
NEIGHBOURS = ["n1", "n2", "n3"]
SENIORS = {"t01", "t02"}
# The three neighbours' readings: their means (14.47 before, 15.4133 after) must appear
# nowhere, nor their difference (0.9433).
NEIGHBOUR_KWH = {"n1": (13.37, 17.71), "n2": (14.21, 12.09), "n3": (15.83, 16.44)}
SECRETS = ("14.47", "14,47", "15.41", "15,41", "0.943", "0,943", "0.94", "0,94")


def small_pilot_spec() -> dict[str, Any]:
    spec = copy.deepcopy(PILOT)
    spec.update(id="small", privacy=PRIVACY, title="Petites cellules")
    spec["metrics"] = [spec["metrics"][0]]  # kwh, primary
    return spec


def write_small_pilot(pilots: Path, surveys: Path, data: Path) -> dict[str, Path]:
    """The pilot ``small`` (and its instrument) as YAML, and its three data files."""
    (pilots / "small.yaml").write_text(json.dumps(small_pilot_spec(), indent=1))
    if not (surveys / "satisfaction.yaml").exists():
        (surveys / "satisfaction.yaml").write_text(json.dumps(INSTRUMENT, indent=1))
    people = ["participant_id,cohort,age_band,neighbourhood"]
    people += [f"{p},testers,{'65+' if p in SENIORS else '30-44'},Centre" for p in TESTERS]
    people += [f"{p},neighbours,30-44,Centre" for p in NEIGHBOURS]
    readings = ["participant_id,metric,timestamp,value"]
    for i, p in enumerate(TESTERS):
        readings += [f"{p},kwh,2024-01-05,{10 + 0.5 * i}", f"{p},kwh,2024-02-05,{9 + 0.45 * i}"]
    for p, (before, after) in NEIGHBOUR_KWH.items():
        readings += [f"{p},kwh,2024-01-05,{before}", f"{p},kwh,2024-02-05,{after}"]
    answers = [
        "participant_id,instrument,wave,item,answer",
        "t03,satisfaction,after,q1,4",
        "t03,satisfaction,after,q2,5",
    ]
    files = {}
    for name, lines in (("participants", people), ("observations", readings),
                        ("responses", answers)):
        files[name] = data / f"small-{name}.csv"
        files[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return files
