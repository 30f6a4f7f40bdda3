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
    "col_design": ("Plan d'analyse", "Design"),
    "power_design_paired": ("avant/après des testeurs (apparié)", "testers' before/after (paired)"),
    "power_design_two_sample": ("deux groupes indépendants", "two independent groups"),
    "power_design_did": (
        "différence des différences (écart-type des variations)",
        "difference-in-differences (SD of the changes)",
    ),
    "power_design_two_proportions": (
        "deux proportions (h de Cohen)", "two proportions (Cohen's h)"
    ),
    # --- pilots ---
    "pilots_title": ("Pilotes", "Pilots"),
    "pilots_intro": (
        "Chaque pilote, sa phase, ses cohortes face à leur cible, sa dernière mesure et son "
        "verdict. Un nouveau pilote part d'un modèle et s'ouvre dans l'éditeur.",
        "Every pilot, its phase, its cohorts against their target, its latest reading and "
        "its verdict. A new pilot starts from a template and opens in the editor.",
    ),
    "col_cohorts_target": ("Cohortes (inscrits / cible)", "Cohorts (enrolled / target)"),
    "col_latest_reading": ("Dernière mesure", "Latest reading"),
    "col_decision": ("Décision enregistrée", "Recorded decision"),
    "new_pilot": ("Nouveau pilote", "New pilot"),
    "new_template": ("Modèle", "Template"),
    "new_id": ("Identifiant (minuscules, chiffres, _)", "Id (lower case, digits, _)"),
    "new_title_fr": ("Titre (français)", "Title (French)"),
    "new_title_en": ("Titre (anglais, facultatif)", "Title (English, optional)"),
    "new_create": ("Créer le pilote", "Create the pilot"),
    "new_created": (
        "Pilote « {id} » créé en brouillon : ouvrez l'éditeur pour le compléter.",
        "Pilot '{id}' created as a draft: open the editor to complete it.",
    ),
    "open_editor": ("Ouvrir dans l'éditeur", "Open in the editor"),
    "decision_generalize": ("généraliser", "generalize"),
    "decision_stop": ("arrêter", "stop"),
    "decision_extend": ("prolonger", "extend"),
    # --- editor ---
    "editor_title": ("Éditeur de pilote", "Pilot editor"),
    "editor_intro": (
        "Le fichier YAML du pilote, vérifié à chaque modification comme le fait "
        "« livinglab validate ». Il n'est enregistré que s'il est valide.",
        "The pilot's YAML file, checked at every change as 'livinglab validate' does. "
        "It is saved only when valid.",
    ),
    "editor_text": ("Fichier du pilote (YAML)", "Pilot file (YAML)"),
    "editor_valid": ("Le pilote est valide.", "The pilot is valid."),
    "editor_problems": ("{n} problème(s) : rien ne sera enregistré.",
                        "{n} problem(s): nothing will be saved."),
    "col_line": ("Ligne", "Line"),
    "col_field": ("Champ", "Field"),
    "col_message": ("Problème", "Problem"),
    "editor_diff": ("Modifications avant enregistrement", "Changes before saving"),
    "editor_unchanged": ("Aucune modification.", "No change."),
    "editor_save": ("Enregistrer", "Save"),
    "editor_fields": ("Champs courants (formulaire)", "Common fields (form)"),
    "editor_apply": ("Appliquer au fichier", "Apply to the file"),
    "field_baseline_start": ("Début de la période de référence", "Baseline start"),
    "field_baseline_end": ("Fin de la période de référence", "Baseline end"),
    "field_intervention_start": ("Début de l'expérimentation", "Intervention start"),
    "field_intervention_end": ("Fin de l'expérimentation", "Intervention end"),
    "field_target": ("Taille cible de la cohorte « {cohort} »", "Target size of cohort '{cohort}'"),
    "editor_saved": ("Pilote enregistré : {path}", "Pilot saved: {path}"),
    "editor_refused": ("Pilote non enregistré : il n'est pas valide.",
                       "Pilot not saved: it is not valid."),
    # --- decision ---
    "decision_title": ("Décision du conseil", "The council's decision"),
    "decision_intro": (
        "Quand le pilote est en phase « décidé », enregistrez la décision prise : elle "
        "fige une copie de l'évaluation et du dossier sur lesquels elle a été prise, avec "
        "leur empreinte SHA-256.",
        "When the pilot is in the 'decided' phase, record the decision taken: it freezes a "
        "copy of the evaluation and of the dossier it was taken on, with their SHA-256.",
    ),
    "decision_not_decided": (
        "Ce pilote est en phase « {phase} » : passez-le en phase « décidé » dans l'éditeur "
        "pour enregistrer la décision.",
        "This pilot is in the '{phase}' phase: set it to 'decided' in the editor to "
        "record the decision.",
    ),
    "decision_choice": ("Décision", "Decision"),
    "decision_by": ("Décidé par", "Decided by"),
    "decision_on": ("Date de la décision", "Date of the decision"),
    "decision_reference": ("Référence de la délibération", "Council's reference"),
    "decision_comment": ("Commentaire", "Comment"),
    "decision_record": ("Enregistrer la décision", "Record the decision"),
    "decision_recorded": ("Décision enregistrée.", "Decision recorded."),
    "decision_history": ("Décisions enregistrées", "Recorded decisions"),
    "col_computed_verdict": ("Verdict calculé", "Computed verdict"),
    "col_recorded_by": ("Enregistrée par", "Recorded by"),
    "col_document": ("Document", "Document"),
    "decision_frozen": ("Documents figés de la dernière décision",
                        "Documents frozen with the latest decision"),
    "decision_download_json": ("Évaluation figée (JSON)", "Frozen evaluation (JSON)"),
    "decision_download_html": ("Dossier figé (HTML)", "Frozen dossier (HTML)"),
    "decision_missing": ("Indiquez qui a décidé et la référence de la délibération.",
                         "Give who decided and the council's reference."),
    # --- import ---
    "import_title": ("Import de données", "Data import"),
    "import_intro": (
        "Déposez les participants, les mesures et/ou les réponses d'un pilote (CSV, Parquet "
        "ou Excel). Tout est vérifié avant d'écrire : au moindre problème, rien n'est "
        "enregistré et chaque ligne fautive est listée.",
        "Upload a pilot's participants, readings and/or answers (CSV, Parquet or Excel). "
        "Everything is checked before writing: on any problem nothing is stored and every "
        "bad row is listed.",
    ),
    "import_participants": ("Participants", "Participants"),
    "import_observations": ("Mesures d'usage", "Usage readings"),
    "import_responses": ("Réponses aux questionnaires", "Survey answers"),
    "import_run": ("Importer", "Import"),
    "import_nothing": ("Déposez au moins un fichier.", "Upload at least one file."),
    "import_progress_participants": ("Vérification des participants : {rows} lignes",
                                     "Checking participants: {rows} rows"),
    "import_progress_observations": ("Vérification des mesures : {rows} lignes",
                                     "Checking readings: {rows} rows"),
    "import_progress_responses": ("Vérification des réponses : {rows} lignes",
                                  "Checking answers: {rows} rows"),
    "import_progress_write": ("Écriture dans la base…", "Writing to the store…"),
    "import_done": ("Import terminé.", "Import done."),
    "import_refused": (
        "Import refusé, rien n'a été enregistré : {n} problème(s).",
        "Import refused, nothing was stored: {n} problem(s).",
    ),
    "col_file": ("Fichier", "File"),
    "col_kind": ("Contenu", "Content"),
    "col_read": ("Lignes lues", "Rows read"),
    "col_new": ("Nouvelles", "New"),
    "col_already": ("Déjà enregistrées", "Already stored"),
    # --- participants and responses ---
    "participants_title": ("Participants et réponses", "Participants and responses"),
    "participants_intro": (
        "Par cohorte : inscrits face à la cible, actifs et sortis ; par vague de "
        "questionnaire : taux de réponse et qui n'a pas encore répondu ; les liens "
        "d'invitation. Les participants apparaissent sous pseudonyme, ou sous vos propres "
        "identifiants si vous déposez votre fichier de participants (il n'est pas conservé).",
        "Per cohort: enrolled against target, active and dropped out; per survey wave: the "
        "response rate and who has not answered yet; the invitation links. Participants "
        "appear by pseudonym, or by your own ids if you upload your participants file "
        "(it is not kept).",
    ),
    "participants_team_file": ("Votre fichier de participants (CSV, colonne participant_id)",
                               "Your participants file (CSV, participant_id column)"),
    "participants_own_ids": ("{n} ligne(s) affichée(s) avec vos identifiants.",
                             "{n} row(s) shown with your ids."),
    "participants_cohorts": ("Cohortes", "Cohorts"),
    "participants_departures": ("Sorties du pilote", "Drop-outs"),
    "participants_waves": ("Taux de réponse par vague", "Response rate per wave"),
    "participants_missing": ("Pas encore répondu", "Not answered yet"),
    "participants_invitations": ("Liens d'invitation", "Invitation links"),
    "col_target": ("Cible", "Target"),
    "col_enrolled": ("Inscrits", "Enrolled"),
    "col_active": ("Actifs", "Active"),
    "col_dropped": ("Sortis", "Dropped out"),
    "col_last_departure": ("Dernière sortie", "Latest drop-out"),
    "col_participant": ("Participant", "Participant"),
    "col_left_on": ("Sorti le", "Left on"),
    "col_source": ("Source", "Source"),
    "source_left_on": ("fichier des participants", "participants file"),
    "source_dropout_rule": ("règle d'inactivité", "inactivity rule"),
    "col_instrument": ("Questionnaire", "Questionnaire"),
    "col_surveyed": ("Interrogés", "Surveyed"),
    "col_answered": ("Ont répondu", "Answered"),
    "col_created": ("Créés", "Created"),
    "col_used": ("Utilisés", "Used"),
    "col_expired": ("Expirés", "Expired"),
    "col_open": ("En attente", "Open"),
    "links_for": ("Vague à relancer", "Wave to remind"),
    "links_create": ("Créer les liens pour ceux qui n'ont pas répondu",
                     "Create links for those who have not answered"),
    "links_created": ("{n} lien(s) créé(s) : chacun ne sert qu'une fois ; gardez le fichier "
                      "privé.", "{n} link(s) created: each answers once; keep the file private."),
    "links_download": ("Télécharger les liens (CSV)", "Download the links (CSV)"),
}
