"""Words of the analysis-plan notice (issue 9, item 11): (French, English).

Merged into the translator's catalogue; to be moved into the gettext catalogs."""

WORDS: dict[str, tuple[str, str]] = {
    "plan_changed_title": (
        "Plan d'analyse modifié après l'arrivée des données",
        "Analysis plan changed after the data came in",
    ),
    "plan_changed_body": (
        "Le verdict ci-dessus suit le plan d'analyse enregistré le {registered} "
        "(premières données importées par {registered_by}) : {verdict}. "
        "Le plan a été modifié le {amended} ({amended_by}) ; sous le plan modifié, "
        "le verdict serait : {amended_verdict}.",
        "The verdict above follows the analysis plan registered on {registered} "
        "(first data imported by {registered_by}): {verdict}. The plan was changed on "
        "{amended} ({amended_by}); under the changed plan the verdict would be: "
        "{amended_verdict}.",
    ),
    "plan_changes_heading": ("Ce qui a changé", "What changed"),
    "plan_change_line": (
        "{field} : {old} → {new}",
        "{field}: {old} → {new}",
    ),
    "plan_registered_note": (
        "Plan d'analyse enregistré le {registered} avec les premières données "
        "(empreinte {digest}) ; inchangé depuis.",
        "Analysis plan registered on {registered} with the first data "
        "(fingerprint {digest}); unchanged since.",
    ),
    "plan_no_data_note": (
        "Pas encore de données : le plan d'analyse sera enregistré avec la première importation.",
        "No data yet: the analysis plan will be registered with the first import.",
    ),
    "plan_who_unknown": (
        "fichier modifié hors de l'application, auteur inconnu",
        "file edited outside the app, author unknown",
    ),
    "plan_actor_cli": (
        "la ligne de commande (utilisateur {user})",
        "the command line (user {user})",
    ),
    "plan_absent": ("absent", "absent"),
    "plan_field_criterion": ("critère {n} ({subject})", "criterion {n} ({subject})"),
    "plan_field_metric": ("indicateur « {subject} »", "metric “{subject}”"),
    "plan_field_cohort": ("cohorte « {subject} »", "cohort “{subject}”"),
    "plan_field_survey": ("enquête {n}", "survey {n}"),
    "plan_key_threshold": ("seuil", "threshold"),
    "plan_key_must": ("exigence", "requirement"),
    "plan_key_margin": ("marge", "margin"),
    "plan_key_min_effect": ("plus petit effet utile", "smallest worthwhile effect"),
    "plan_key_relative": ("relatif", "relative"),
    "plan_key_absolute": ("absolu", "absolute"),
    "plan_key_aggregate": ("agrégation", "aggregation"),
    "plan_key_better": ("sens de l'amélioration", "direction of improvement"),
    "plan_key_role": ("rôle", "role"),
    "plan_key_design": ("comparaison", "comparison"),
    "plan_key_alpha": ("seuil de signification (alpha)", "significance level (alpha)"),
    "plan_key_power": ("puissance visée", "target power"),
    "plan_key_periods": ("périodes", "periods"),
    "plan_key_baseline": ("période de référence", "baseline period"),
    "plan_key_intervention": ("période d'intervention", "intervention period"),
    "plan_key_start": ("début", "start"),
    "plan_key_end": ("fin", "end"),
    "plan_key_assignment": ("affectation", "assignment"),
    "plan_key_wave": ("vague", "wave"),
    "plan_key_waves": ("vagues", "waves"),
    "plan_key_population": ("population de référence", "reference population"),
    "plan_key_subgroup": ("sous-groupe", "subgroup"),
    "plan_key_sequential": ("analyses intermédiaires", "interim analyses"),
    "plan_key_decision": ("décision", "decision"),
    "plan_key_criteria": ("critères", "criteria"),
    "plan_key_timezone": ("fuseau horaire", "time zone"),
    "plan_key_dropout_after_days": ("règle d'abandon (jours)", "drop-out rule (days)"),
    "plan_key_assignment_unit": ("unité d'affectation", "assignment unit"),
    "plan_key_attributes": ("caractéristiques", "attributes"),
}
