"""Texts of the app and the dossier in French (the default) and English, and locale numbers.

A :class:`Translator` is a small immutable object: the app keeps one per session
(in ``st.session_state``), the dossier makes its own; nothing is installed
globally, so two sessions in two languages never see each other's texts.
Numbers and dates follow the locale through Babel (``30 000,5`` / ``30,000.5``;
``2 mars 2026`` / ``2 March 2026``), with a true minus sign as the decision
layer's reasons use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

LANGS: tuple[str, ...] = ("fr", "en")
DEFAULT_LANG = "fr"
LANG_NAMES = {"fr": "Français", "en": "English"}
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
MINUS = "\u2212"

VERDICT_ICONS = {"go": "✅", "no_go": "⛔", "extend": "⏳"}
STATUS_ICONS = {"pass": "✅", "fail": "❌", "inconclusive": "❔"}

CATALOG: dict[str, tuple[str, str]] = {
    # --- shell ---
    "app_title": ("Living Lab d'Issy-les-Moulineaux", "Issy-les-Moulineaux Living Lab"),
    "language": ("Langue", "Language"),
    "section_decision": ("Décideurs", "Decision-makers"),
    "section_team": ("Équipe innovation", "Innovation team"),
    "page_portfolio": ("Portefeuille", "Portfolio"),
    "page_pilot": ("Preuves d'un pilote", "Pilot evidence"),
    "page_checks": ("Contrôles et méthodes", "Checks and methods"),
    "loading": ("Calcul de l'évaluation…", "Computing the evaluation…"),
    "error_title": ("Impossible d'afficher cette page", "This page cannot be shown"),
    "sidebar_about": (
        "Chaque verdict s'appuie sur les critères déclarés avant le pilote ; "
        "aucun groupe de moins de 5 personnes n'est affiché.",
        "Every verdict rests on criteria declared before the pilot; "
        "no group of fewer than 5 people is shown.",
    ),
    # --- verdicts, statuses ---
    "verdict_go": ("Généraliser", "Roll out"),
    "verdict_no_go": ("Abandonner", "Drop"),
    "verdict_extend": ("Prolonger", "Extend"),
    "status_pass": ("rempli", "met"),
    "status_fail": ("non rempli", "not met"),
    "status_inconclusive": ("non concluant", "inconclusive"),
    "phase_running": ("en cours", "running"),
    "phase_decided": ("décidé", "decided"),
    "role_primary": ("principale", "primary"),
    "role_secondary": ("secondaire", "secondary"),
    "role_guardrail": ("garde-fou", "guardrail"),
    "cohort_test": ("testeurs", "testers"),
    "cohort_control": ("témoins", "comparison"),
    "period_baseline": ("avant", "before"),
    "period_intervention": ("pendant", "during"),
    "period_change": ("évolution", "change"),
    "wave_baseline": ("avant", "before"),
    "wave_after": ("après", "after"),
    "design_pre_post": ("avant/après des testeurs", "testers' before/after"),
    "design_two_group": ("testeurs contre témoins, après", "testers vs comparison, after"),
    "design_did": ("différence des différences", "difference-in-differences"),
    "attribute_age_band": ("Tranche d'âge", "Age band"),
    "attribute_neighbourhood": ("Quartier", "Neighbourhood"),
    "domain_energy": ("énergie", "energy"),
    "domain_mobility": ("mobilité", "mobility"),
    "domain_e-government": ("démarches en ligne", "online services"),
    # --- portfolio ---
    "portfolio_title": ("Portefeuille des pilotes", "Pilot portfolio"),
    "portfolio_intro": (
        "Chaque pilote, son verdict et la solidité de la preuve. Ouvrez un pilote pour "
        "voir les données sur lesquelles repose le verdict.",
        "Every pilot, its verdict and how strong the evidence is. Open a pilot to see "
        "the data behind its verdict.",
    ),
    "all": ("Tous", "All"),
    "filter_domain": ("Domaine", "Domain"),
    "filter_verdict": ("Verdict", "Verdict"),
    "no_pilot": (
        "Aucun pilote trouvé. Lancez `livinglab demo` pour charger les pilotes de démonstration.",
        "No pilot found. Run `livinglab demo` to load the demonstration pilots.",
    ),
    "no_match": ("Aucun pilote ne correspond aux filtres.", "No pilot matches the filters."),
    "col_pilot": ("Pilote", "Pilot"),
    "col_domain": ("Domaine", "Domain"),
    "col_phase": ("Phase", "Phase"),
    "col_verdict": ("Verdict", "Verdict"),
    "col_evidence": ("Niveau de preuve", "Evidence level"),
    "col_primary_effect": ("Effet principal (IC 95 %)", "Primary effect (95% CI)"),
    "col_participants": ("Participants par cohorte", "Participants per cohort"),
    "col_latest": ("Dernières données", "Latest data"),
    "col_link": ("Preuves", "Evidence"),
    "evidence_short": ("niveau {level}/5", "level {level}/5"),
    "open_pilot": ("Voir les preuves de « {title} »", "See the evidence for “{title}”"),
    "effect_line": (
        "{label} : {estimate} (IC 95 % : {low} à {high})",
        "{label}: {estimate} (95% CI: {low} to {high})",
    ),
    "points": ("points", "points"),
    "portfolio_table": ("Tableau du portefeuille", "Portfolio table"),
    "no_data": ("aucune donnée", "no data"),
    "no_evaluation": ("évaluation impossible", "cannot be evaluated"),
    # --- pilot page ---
    "choose_pilot": ("Pilote", "Pilot"),
    "hypothesis": ("Hypothèse", "Hypothesis"),
    "periods_caption": (
        "Référence du {b0} au {b1} · intervention du {i0} au {i1}",
        "Baseline {b0} to {b1} · intervention {i0} to {i1}",
    ),
    "verdict_heading": ("Verdict : {verdict}", "Verdict: {verdict}"),
    "criteria": ("Critères de décision", "Decision criteria"),
    "criterion_line": ("{icon} **{status}** — {reason}", "{icon} **{status}** — {reason}"),
    "caveats": ("À savoir avant de décider", "Know this before deciding"),
    "extend_plan": ("Ce que demande la prolongation", "What extending requires"),
    "extend_details": ("Détail du calcul", "How it is computed"),
    "download_html": ("Télécharger le dossier (HTML)", "Download the dossier (HTML)"),
    "download_pdf": ("Télécharger le dossier (PDF)", "Download the dossier (PDF)"),
    "download_help": (
        "Dossier autonome pour le conseil municipal : lisible hors ligne.",
        "A self-contained dossier for the city council: readable offline.",
    ),
    "tab_metrics": ("Mesures d'usage", "Usage metrics"),
    "tab_surveys": ("Enquêtes", "Surveys"),
    "tab_equity": ("Équité", "Equity"),
    "tab_representativeness": ("Représentativité", "Representativeness"),
    "tab_projection": ("Projection", "Projection"),
    "effects_overview": ("Tous les effets", "All effects"),
    "metric_heading": ("{label} ({role})", "{label} ({role})"),
    "metric_estimate": (
        "{design} : {estimate} {unit} (IC 95 % : {low} à {high}), soit {pct} ; {n}.",
        "{design}: {estimate} {unit} (95% CI: {low} to {high}), i.e. {pct}; {n}.",
    ),
    "metric_bracket": (
        " Encadrement, {name} : {estimate} {unit} (IC 95 % : {low} à {high}).",
        " Bracket, {name}: {estimate} {unit} (95% CI: {low} to {high}).",
    ),
    "bracket_ancova": (
        "ANCOVA ajustée sur la période de référence",
        "baseline-adjusted ANCOVA",
    ),
    "metric_estimate_points": (
        "{design} : {estimate} points (IC 95 % : {low} à {high}) ; {n}.",
        "{design}: {estimate} points (95% CI: {low} to {high}); {n}.",
    ),
    "n_participants": (
        "{n_test} testeurs, {n_control} témoins",
        "{n_test} testers, {n_control} comparison",
    ),
    "n_testers": ("{n_test} testeurs", "{n_test} testers"),
    "test_used": ("Test : {test} — {reason}", "Test: {test} — {reason}"),
    "means_table": ("Moyennes par cohorte et période", "Means by cohort and period"),
    "chart_data": ("Données du graphique", "Chart data"),
    "no_weekly": (
        "Pas de série hebdomadaire pour cette mesure.",
        "No weekly series for this metric.",
    ),
    "survey_heading": ("{title}", "{title}"),
    "survey_score": (
        "{wave} : score {score} (IC 95 % : {low} à {high}), {n} répondants",
        "{wave}: score {score} (95% CI: {low} to {high}), {n} respondents",
    ),
    "survey_alpha": ("alpha de Cronbach {alpha}", "Cronbach's alpha {alpha}"),
    "survey_caveat_negative_alpha": (
        "attention : alpha de Cronbach négatif, les questions se contredisent en moyenne "
        "(souvent une question inversée non déclarée) ; ce score est à lire avec prudence",
        "caution: negative Cronbach's alpha, the items disagree on average (often a reversed "
        "item not declared as reversed); read this score with care",
    ),
    "survey_caveat_constant_item": (
        "attention : tous les répondants ont donné la même réponse à {items}, "
        "qui ne distingue donc personne",
        "caution: every respondent gave the same answer to {items}, "
        "which therefore tells no one apart",
    ),
    "survey_grade": (
        "note {grade}, percentile {percentile}",
        "grade {grade}, percentile {percentile}",
    ),
    "survey_changes": (
        "Évolution avant/après des mêmes répondants",
        "Before/after change of the same respondents",
    ),
    "change_line": (
        "{title} : {estimate} (IC 95 % : {low} à {high}), {n} répondants aux deux vagues",
        "{title}: {estimate} (95% CI: {low} to {high}), {n} respondents to both waves",
    ),
    "response_rates": ("Taux de réponse", "Response rates"),
    "no_surveys": ("Ce pilote ne prévoit pas d'enquête.", "This pilot plans no survey."),
    "equity_intro": (
        "Effet par sous-groupe, seniors en premier. Les groupes de moins de 5 personnes "
        "sont masqués, ainsi que ceux qui permettraient de les retrouver.",
        "Effect by subgroup, seniors first. Groups of fewer than 5 people are hidden, "
        "and so are those that would let one work them out.",
    ),
    "suppressed_groups": (
        "Groupes masqués (moins de 5 personnes) : {groups}.",
        "Hidden groups (fewer than 5 people): {groups}.",
    ),
    "interactions": (
        "L'effet diffère-t-il selon les groupes ?",
        "Does the effect differ across groups?",
    ),
    "subgroup_scores": ("Scores d'enquête par sous-groupe", "Survey scores by subgroup"),
    "no_equity": (
        "Pas d'analyse par sous-groupe pour ce pilote.",
        "No subgroup analysis for this pilot.",
    ),
    "repr_intro": (
        "Les testeurs comparés à la population de la ville ({size} personnes ; source : {source}).",
        "The testers compared with the city's population ({size} people; source: {source}).",
    ),
    "repr_fits": (
        "Écart à la population (test du khi-deux)",
        "Gap to the population (chi-square test)",
    ),
    "repr_reweighted": (
        "Effets repondérés sur la population",
        "Effects reweighted to the population",
    ),
    "repr_reweighted_col": ("Repondéré (IC 95 %)", "Reweighted (95% CI)"),
    "repr_n_eff": ("Effectif efficace (testeurs)", "Effective n (testers)"),
    "no_repr": (
        "Ce pilote ne déclare pas de population de référence.",
        "This pilot declares no reference population.",
    ),
    "no_projection": (
        "Ce pilote ne déclare pas de projection.",
        "This pilot declares no projection.",
    ),
    "projection_yearly": ("Par an, à l'échelle de la ville", "Per year, city-wide"),
    "projection_co2": ("t CO2e par an", "t CO2e a year"),
    "projection_adopters": ("usagers attendus", "expected users"),
    # --- checks page ---
    "checks_title": ("Contrôles et méthodes", "Checks and methods"),
    "checks_intro": (
        "Pour l'équipe innovation : recrutement, abandons, équilibre au départ et tests "
        "statistiques employés.",
        "For the innovation team: recruitment, drop-out, baseline balance and the "
        "statistical tests used.",
    ),
    "recruitment": ("Recrutement et abandons", "Recruitment and drop-out"),
    "balance": (
        "Équilibre au départ (testeurs contre témoins)",
        "Baseline balance (testers vs comparison)",
    ),
    "tests": ("Tests employés", "Tests used"),
    "exclusions": ("Participants écartés", "Participants left out"),
    "data_version": (
        "Version des données : {version} · dernières données : {latest}",
        "Data version: {version} · latest data: {latest}",
    ),
    "refresh": ("Recalculer", "Recompute"),
    # --- table columns ---
    "col_metric": ("Mesure", "Metric"),
    "col_cohort": ("Cohorte", "Cohort"),
    "col_period": ("Période", "Period"),
    "col_n": ("Effectif", "n"),
    "col_mean": ("Moyenne", "Mean"),
    "col_sd": ("Écart-type", "SD"),
    "col_ci_low": ("IC bas", "CI low"),
    "col_ci_high": ("IC haut", "CI high"),
    "col_week": ("Semaine du", "Week of"),
    "col_effect_pct": ("Effet (% de la référence)", "Effect (% of baseline)"),
    "col_estimate": ("Estimation", "Estimate"),
    "col_threshold": ("Effet minimal visé (%)", "Smallest worthwhile effect (%)"),
    "col_status": ("Critère", "Criterion"),
    "col_range": ("Tranche de score", "Score range"),
    "col_respondents": ("Répondants", "Respondents"),
    "col_item": ("Question", "Item"),
    "col_answer": ("Réponse", "Answer"),
    "col_share": ("Part", "Share"),
    "col_wave": ("Vague", "Wave"),
    "col_rate": ("Taux", "Rate"),
    "col_invited": ("Invités", "Invited"),
    "col_responded": ("Ont répondu", "Responded"),
    "col_group": ("Groupe", "Group"),
    "col_attribute": ("Attribut", "Attribute"),
    "col_population": ("Ville", "City"),
    "col_sample": ("Testeurs", "Testers"),
    "col_quantity": ("Grandeur", "Quantity"),
    "col_value": ("Valeur", "Value"),
    "col_test": ("Test", "Test"),
    "col_p": ("p", "p"),
    "col_p_adjusted": ("p ajusté", "adjusted p"),
    "col_reason": ("Raison", "Reason"),
    "col_basis": ("Base du critère", "Criterion basis"),
    "col_count": ("Nombre", "Count"),
    "hidden": ("masqué", "hidden"),
    # --- charts ---
    "chart_forest_title": (
        "Effets mesurés et effet minimal visé",
        "Measured effects and smallest worthwhile effect",
    ),
    "chart_forest_desc": (
        "Effet de chaque mesure en % de la référence avec son IC 95 % ; la bande grise va "
        "de moins à plus l'effet minimal visé. {summary}",
        "Each metric's effect in % of baseline with its 95% CI; the grey band runs from "
        "minus to plus the smallest worthwhile effect. {summary}",
    ),
    "chart_did_title": (
        "{label} : avant et pendant le pilote",
        "{label}: before and during the pilot",
    ),
    "chart_did_desc": (
        "{label} : {cohorts}. Les barres sont des IC 95 % ; la ligne pointillée montre l'évolution "
        "qu'auraient eue les testeurs sans le service (tendance des témoins).",
        "{label}: {cohorts}. Bars are 95% CIs; the dotted line shows the testers' course without "
        "the service (the comparison group's trend).",
    ),
    "chart_did_desc_single": (
        "{label} : {cohorts}. Les barres sont des IC 95 %.",
        "{label}: {cohorts}. Bars are 95% CIs.",
    ),
    "did_cohort_part": (
        "{cohort} de {before} à {after} {unit}",
        "{cohort} from {before} to {after} {unit}",
    ),
    "counterfactual": ("testeurs sans le service", "testers without the service"),
    "chart_weekly_title": ("{label} semaine par semaine", "{label} week by week"),
    "chart_weekly_desc": (
        "{label} : moyenne hebdomadaire par cohorte sur {weeks} semaines (IC 95 % en bande) ; "
        "la ligne verticale marque le début de l'intervention, le {start}.",
        "{label}: weekly mean per cohort over {weeks} weeks (95% CI as a band); the vertical "
        "line marks the start of the intervention, on {start}.",
    ),
    "intervention_start": ("début de l'intervention", "intervention starts"),
    "chart_score_title": ("{title} : répartition des scores", "{title}: distribution of scores"),
    "chart_sus_desc": (
        "Répartition des {n} scores SUS ({wave}) sur les bandes de notes de Sauro et Lewis ; "
        "moyenne {score} (note {grade}). Des tranches voisines sont regroupées pour ne jamais "
        "montrer moins de 5 personnes.",
        "Distribution of the {n} SUS scores ({wave}) over Sauro and Lewis's grade bands; "
        "mean {score} (grade {grade}). Neighbouring ranges are merged so that fewer than 5 "
        "people are never shown.",
    ),
    "chart_score_desc": (
        "Répartition des {n} scores ({wave}) ; moyenne {score}. Des tranches voisines sont "
        "regroupées pour ne jamais montrer moins de 5 personnes.",
        "Distribution of the {n} scores ({wave}); mean {score}. Neighbouring ranges are merged "
        "so that fewer than 5 people are never shown.",
    ),
    "density_axis": (
        "Répondants par tranche de {step} points",
        "Respondents per {step}-point range",
    ),
    "chart_nps_title": ("Recommandation (NPS)", "Recommendation (NPS)"),
    "chart_nps_desc": (
        "{detractors} de détracteurs, {passives} de neutres et {promoters} de promoteurs "
        "parmi {n} répondants ({wave}) : NPS {score}.",
        "{detractors} detractors, {passives} passives and {promoters} promoters among {n} "
        "respondents ({wave}): NPS {score}.",
    ),
    "detractors": ("détracteurs (0-6)", "detractors (0-6)"),
    "passives": ("neutres (7-8)", "passives (7-8)"),
    "promoters": ("promoteurs (9-10)", "promoters (9-10)"),
    "chart_likert_title": ("{title} : réponses par question", "{title}: answers per item"),
    "chart_likert_desc": (
        "Part des réponses à chacune des {items} questions ({wave}, {n} répondants), en désaccord "
        "à gauche et d'accord à droite. {collapsed}",
        "Share of answers to each of the {items} items ({wave}, {n} respondents), disagreement "
        "on the left and agreement on the right. {collapsed}",
    ),
    "likert_collapsed": (
        "Certaines questions sont regroupées en trois niveaux pour ne jamais montrer moins de "
        "5 personnes.",
        "Some items are grouped into three levels so that fewer than 5 people are never shown.",
    ),
    "likert_disagree": ("Pas d'accord (tous degrés)", "Disagree (any degree)"),
    "likert_neutral": ("Neutre", "Neutral"),
    "likert_agree": ("D'accord (tous degrés)", "Agree (any degree)"),
    "likert_or": (" ou ", " or "),
    "chart_rates_title": ("Taux de réponse aux enquêtes", "Survey response rates"),
    "chart_rates_desc": (
        "Part des invités qui ont répondu, avec IC 95 % : {summary}.",
        "Share of invited participants who answered, with 95% CI: {summary}.",
    ),
    "chart_equity_title": ("{label} : effet par sous-groupe", "{label}: effect by subgroup"),
    "chart_equity_desc": (
        "{label} : effet par sous-groupe, intervalles corrigés pour le nombre de sous-groupes "
        "(Bonferroni) ; {shown} groupes affichés, {hidden} masqués (moins de 5 personnes). "
        "Effet d'ensemble (ligne pointillée) : {overall}.",
        "{label}: effect by subgroup, intervals adjusted for the number of subgroups "
        "(Bonferroni); {shown} groups shown, {hidden} hidden (fewer than 5 people). "
        "Overall effect (dashed line): {overall}.",
    ),
    "chart_repr_title": (
        "{attribute} : testeurs et population",
        "{attribute}: testers and population",
    ),
    "chart_repr_desc": (
        "Part de chaque catégorie de {attribute} chez les testeurs et dans la ville ; le plus "
        "grand écart concerne {category} ({sample} contre {population}).",
        "Share of each {attribute} category among testers and in the city; the largest gap is "
        "for {category} ({sample} against {population}).",
    ),
    "chart_projection_title": ("Projection à l'échelle de la ville", "City-wide projection"),
    "chart_projection_desc": ("{reason}", "{reason}"),
    "projection_raw": ("estimation du pilote", "pilot estimate"),
    "projection_reweighted": ("repondérée sur la population", "reweighted to the population"),
    "axis_effect_pct": ("Effet (% de la référence)", "Effect (% of baseline)"),
    "axis_share": ("Part", "Share"),
    "axis_score": ("Score", "Score"),
    "axis_week": ("Semaine", "Week"),
    "grade_band": ("Note", "Grade"),
    "mean_marker": ("moyenne", "mean"),
    # --- dossier ---
    "dossier_title": ("Dossier d'évaluation : {title}", "Evaluation dossier: {title}"),
    "dossier_generated": (
        "Établi le {date} à partir des données version {version}. Chiffres arrondis ; "
        "aucun groupe de moins de 5 personnes n'est montré.",
        "Prepared on {date} from data version {version}. Rounded figures; no group of "
        "fewer than 5 people is shown.",
    ),
    "dossier_summary": ("Synthèse", "Summary"),
    "dossier_details_missing": (
        "Séries hebdomadaires et répartitions des réponses : non jointes à ce dossier.",
        "Weekly series and answer distributions: not included in this dossier.",
    ),
    "dossier_contents": ("Sommaire", "Contents"),
    "pdf_unavailable": (
        "Le PDF demande Chromium (`/usr/bin/chromium`), absent de ce serveur.",
        "The PDF needs Chromium (`/usr/bin/chromium`), which this server lacks.",
    ),
    # --- citizen survey (invitation link) ---
    # --- when the service cannot serve ---
    "store_down": (
        "Le service est momentanément indisponible : la base de données ne répond pas. "
        "Réessayez dans quelques instants.",
        "The service is temporarily unavailable: the database does not answer. "
        "Try again in a few moments.",
    ),
    "misconfigured": (
        "Le service n'est pas configuré correctement et ne peut pas s'ouvrir. Le détail est "
        "dans le journal du serveur ; prévenez l'équipe du Living Lab.",
        "The service is not configured correctly and cannot open. The details are in the "
        "server's log; tell the Living Lab team.",
    ),
    "retry": ("Réessayer", "Try again"),
    # --- sign-in and roles ---
    "page_signin": ("Connexion", "Sign in"),
    "page_denied": ("Accès refusé", "Access denied"),
    "signin_title": ("Connexion au Living Lab", "Sign in to the Living Lab"),
    "signin_intro": (
        "Cet espace est réservé à l'équipe innovation et aux décideurs de la ville. "
        "Vous participez à un pilote ? Ouvrez le lien personnel reçu dans votre invitation "
        "pour répondre à l'enquête : aucun compte n'est nécessaire.",
        "This area is for the city's innovation team and decision-makers. Taking part in "
        "a pilot? Open the personal link in your invitation to answer the survey: no "
        "account is needed.",
    ),
    "signin_provider": (
        "Se connecter avec le compte de la ville",
        "Sign in with the city's account",
    ),
    "signin_no_role": (
        "Vous êtes connecté, mais votre compte n'a pas de rôle dans le Living Lab. Demandez "
        "à l'équipe innovation de vous en donner un, en lui indiquant votre identifiant : "
        "{subject}",
        "You are signed in, but your account has no role in the Living Lab. Ask the "
        "innovation team to give you one, telling them your identifier: {subject}",
    ),
    "signin_username": ("Identifiant", "Username"),
    "signin_password": ("Mot de passe", "Password"),
    "signin_submit": ("Se connecter", "Sign in"),
    "signin_missing": (
        "Saisissez votre identifiant et votre mot de passe.",
        "Enter your username and password.",
    ),
    "signed_in_as": ("Connecté : {name} ({role})", "Signed in: {name} ({role})"),
    "signout": ("Se déconnecter", "Sign out"),
    "account_role_team": ("équipe innovation", "innovation team"),
    "account_role_decision": ("décideur", "decision-maker"),
    "access_denied": (
        "Cette page n'est pas accessible avec votre compte. Choisissez une page du menu.",
        "This page is not available to your account. Choose a page from the menu.",
    ),
    "signin_needed": (
        "Connectez-vous pour voir cette page.",
        "Sign in to see this page.",
    ),
    "section_survey": ("Enquête", "Survey"),
    "page_survey": ("Votre avis", "Your opinion"),
    "survey_page_heading": ("Votre avis sur : {pilot}", "Your opinion on: {pilot}"),
    "survey_help": (
        "Pour chaque phrase, choisissez la réponse qui vous correspond le mieux.",
        "For each sentence, choose the answer that fits you best.",
    ),
    "survey_question": ("Question {n} sur {total}", "Question {n} of {total}"),
    "survey_consent": (
        "J'accepte que mes réponses soient enregistrées pour évaluer ce service. "
        "Elles sont pseudonymes : ni mon nom ni mon adresse ne sont conservés avec elles. "
        "Je peux demander à tout moment qu'elles soient effacées, auprès de l'équipe "
        "du Living Lab.",
        "I agree that my answers are recorded to evaluate this service. They are "
        "pseudonymous: neither my name nor my address is kept with them. I can ask the "
        "Living Lab team at any time to erase them.",
    ),
    "survey_submit": ("Envoyer mes réponses", "Send my answers"),
    "survey_thanks": (
        "Merci ! Vos réponses ont bien été enregistrées. Vous pouvez fermer cette page.",
        "Thank you! Your answers were recorded. You may close this page.",
    ),
    "survey_no_link": (
        "Cette page s'ouvre avec le lien d'invitation reçu par courriel ou par courrier.",
        "This page opens with the invitation link you received by e-mail or by post.",
    ),
    "survey_unavailable": (
        "L'enquête est momentanément indisponible. Merci de réessayer plus tard.",
        "The survey is unavailable for the moment. Please try again later.",
    ),
}

from livinglab.words_issue13 import WORDS as _WORDS_ISSUE13  # noqa: E402

CATALOG.update(_WORDS_ISSUE13)


@dataclass(frozen=True)
class Translator:
    """Texts and locale formats of one language (``'fr'`` or ``'en'``)."""

    lang: str = DEFAULT_LANG

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"The 'lang' must be one of {LANGS}. Got {self.lang!r} instead.")

    @property
    def locale(self) -> str:
        return BABEL_LOCALES[self.lang]

    def __call__(self, key: str, **values: Any) -> str:
        """The text ``key`` in this language, with ``{placeholders}`` filled."""
        pair = CATALOG.get(key)
        if pair is None:
            raise KeyError(f"No text '{key}' in the catalog of livinglab.i18n.")
        text = pair[1] if self.lang == "en" else pair[0]
        return text.format(**values) if values else text

    def maybe(self, key: str, default: str) -> str:
        """The text ``key`` when the catalog has it (domain, attribute names), else ``default``."""
        return self(key) if key in CATALOG else default

    # --- numbers and dates ---

    def number(self, value: float | None, decimals: int | None = None) -> str:
        """``−1 234,5`` (fr) / ``−1,234.5`` (en); ``—`` when missing."""
        if value is None or not math.isfinite(value):
            return "—"
        places = auto_decimals(value) if decimals is None else decimals
        pattern = "#,##0" + ("." + "0" * places if places else "")
        text = format_decimal(abs(value), format=pattern, locale=self.locale)
        rounded_zero = round(abs(value), places) == 0
        return (MINUS if value < 0 and not rounded_zero else "") + text

    def signed(self, value: float | None, decimals: int | None = None) -> str:
        """Like :meth:`number`, with ``+`` before a positive value."""
        text = self.number(value, decimals)
        return "+" + text if value is not None and text[0].isdigit() and value > 0 else text

    def percent(self, share: float | None, decimals: int = 0, *, signed: bool = False) -> str:
        """A share (0.25) as ``25 %`` (fr, narrow space) / ``25%`` (en)."""
        if share is None or not math.isfinite(share):
            return "—"
        body = (self.signed if signed else self.number)(share * 100, decimals)
        return body + ("\u202f%" if self.lang == "fr" else "%")

    def date(self, value: date | datetime | None, fmt: str = "long") -> str:
        """``2 mars 2026`` / ``2 March 2026``; ``—`` when missing."""
        if value is None:
            return "—"
        return format_date(value, fmt, locale=self.locale)

    def interval(
        self, estimate: float | None, low: float | None, high: float | None
    ) -> tuple[str, str, str]:
        """An estimate and its bounds with one shared precision."""
        places = auto_decimals(*(v for v in (estimate, low, high) if v is not None))
        return self.number(estimate, places), self.number(low, places), self.number(high, places)

    # --- domain words ---

    def verdict(self, verdict: str) -> str:
        """``✅ Généraliser`` / ``⛔ Abandonner`` / ``⏳ Prolonger``: an icon AND a word."""
        return f"{VERDICT_ICONS[verdict]} {self(f'verdict_{verdict}')}"

    def status(self, status: str) -> str:
        return f"{STATUS_ICONS[status]} {self(f'status_{status}')}"

    def attribute(self, name: str) -> str:
        return self.maybe(f"attribute_{name}", name)

    def domain(self, name: str) -> str:
        return self.maybe(f"domain_{name}", name)


def auto_decimals(*values: float) -> int:
    """Decimals for numbers shown together in a table or chart: 0 from 100, 1 from 10,
    2 from 1, else two significant digits of the largest (one more decimal than the
    decision layer's sentences, :func:`livinglab.decision.text.decimals_for`, between 1
    and 10, where a table's column needs it)."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
    if not finite:
        return 0
    largest = max(finite)
    if largest >= 100:
        return 0
    if largest >= 10:
        return 1
    if largest >= 1:
        return 2
    return min(6, 1 - math.floor(math.log10(largest)))


def translator(lang: str | None) -> Translator:
    """The translator of ``lang`` (French when it is None or unknown)."""
    return Translator(lang if lang in LANGS else DEFAULT_LANG)
