"""Words of the innovation team's pages (issue 13): pilots, editor, planning, import,
participants and decision record. Merged into :data:`livinglab.i18n.CATALOG`; the
maintainers move them into the gettext catalogs."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # --- menu ---
    "page_pilots": ("Pilotes", "Pilots"),
    "page_editor": ("Éditeur de pilote", "Pilot editor"),
    "page_planning": ("Planification", "Planning"),
    "page_import": ("Import de données", "Data import"),
    "page_participants": ("Participants et réponses", "Participants and responses"),
    "page_decision": ("Décision", "Decision"),
    # --- phases ---
    "phase_draft": ("brouillon", "draft"),
    "phase_recruiting": ("recrutement", "recruiting"),
    "phase_analysis": ("analyse", "analysis"),
    "phase_archived": ("archivé", "archived"),
    # --- planning ---
    "planning_title": ("Planification : taille des cohortes", "Planning: cohort sizes"),
    "planning_intro": (
        "Pour chaque indicateur : combien de participants par cohorte il faut pour détecter "
        "le plus petit effet qui vaut la peine, et quel effet les cohortes prévues "
        "permettent de détecter. Test bilatéral ; deux proportions : h de Cohen "
        "(approximation normale, comme pwr.2p.test de R).",
        "For each metric: how many participants per cohort detect the smallest worthwhile "
        "effect, and which effect the planned cohorts can detect. Two-sided test; two "
        "proportions: Cohen's h (normal approximation, as R's pwr.2p.test).",
    ),
    "planning_power": ("Puissance visée", "Target power"),
    "planning_baseline": ("Niveau de référence (moyenne avant)", "Baseline level (mean before)"),
    "planning_proportion": ("Proportion de référence", "Baseline proportion"),
    "planning_sd": ("Écart-type entre participants", "SD between participants"),
    "planning_observed": (
        "Valeurs par défaut observées pendant la période de référence.",
        "Defaults observed in the baseline period.",
    ),
    "planning_assumed": (
        "Aucune donnée de référence : saisissez des valeurs plausibles.",
        "No baseline data: enter plausible values.",
    ),
    "planning_needed": ("Participants nécessaires par cohorte", "Participants needed per cohort"),
    "planning_detectable": (
        "Effet détectable avec {n} par cohorte", "Effect detectable with {n} per cohort"
    ),
    "planning_min_effect": ("Plus petit effet utile", "Smallest worthwhile effect"),
    "planning_missing": (
        "Calcul impossible : il manque le niveau de référence ou l'écart-type.",
        "Cannot compute: the baseline level or the SD is missing.",
    ),
    "planning_no_target": (
        "Aucune taille cible de cohorte n'est déclarée.",
        "No cohort target size is declared.",
    ),
    "planning_design": ("Plan d'analyse : {design}", "Analysis design: {design}"),
    "points": ("points", "points"),
    "power_design_paired": ("avant/après des testeurs (apparié)", "testers' before/after (paired)"),
    "power_design_two_sample": ("deux groupes indépendants", "two independent groups"),
    "power_design_did": (
        "différence des différences (écart-type des variations)",
        "difference-in-differences (SD of the changes)",
    ),
    "power_design_two_proportions": (
        "deux proportions (h de Cohen)", "two proportions (Cohen's h)"
    ),
}
