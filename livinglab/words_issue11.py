"""Words of the personal-data features (issue 11): the team's "Données personnelles"
page, the evaluation's count of withdrawals, the import's skipped rows. Merged into
:data:`livinglab.i18n.CATALOG`; the lead moves them into the gettext catalogs."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "page_privacy": ("Données personnelles", "Personal data"),
    "privacy_title": ("Données personnelles", "Personal data"),
    "privacy_intro": (
        "Le journal de ce qui a été fait des données des participants (connexions, imports, "
        "exports, effacements, retraits du consentement), et les demandes des personnes : "
        "effacer leurs données, retirer leur consentement.",
        "The log of what was done with participants' data (sign-ins, imports, exports, "
        "erasures, consent withdrawals), and people's requests: erase their data, withdraw "
        "their consent.",
    ),
    "privacy_tab_log": ("Journal d'audit", "Audit log"),
    "privacy_tab_erase": ("Effacer une personne", "Erase a person"),
    "privacy_tab_withdraw": ("Retrait du consentement", "Consent withdrawal"),
    "audit_filter_pilot": ("Pilote", "Pilot"),
    "audit_filter_action": ("Action", "Action"),
    "audit_count": (
        "{shown} entrée(s) affichée(s) sur {total}, les plus récentes d'abord.",
        "{shown} of {total} entries shown, newest first.",
    ),
    "audit_download": ("Télécharger le journal (CSV)", "Download the log (CSV)"),
    "audit_empty": ("Aucune entrée pour ce choix.", "No entry for this choice."),
    "col_at": ("Quand (UTC)", "When (UTC)"),
    "col_actor": ("Qui", "Who"),
    "col_action": ("Action", "Action"),
    "col_pilot": ("Pilote", "Pilot"),
    "col_detail": ("Détail", "Detail"),
    "action_sign_in": ("connexion", "sign-in"),
    "action_sign_in_failed": ("connexion refusée", "sign-in refused"),
    "action_sign_out": ("déconnexion", "sign-out"),
    "action_pilot_edit": ("pilote modifié", "pilot edited"),
    "action_import": ("import", "import"),
    "action_erase": ("effacement", "erasure"),
    "action_consent_given": ("consentement donné", "consent given"),
    "action_consent_withdrawn": ("consentement retiré", "consent withdrawn"),
    "action_purge": ("purge (durée de conservation)", "purge (retention)"),
    "action_export": ("export", "export"),
    "action_invite": ("invitations", "invitations"),
    "action_decision_recorded": ("décision enregistrée", "decision recorded"),
    "action_account_change": ("compte modifié", "account changed"),
    "participant_ref": (
        "Identifiant du participant (celui de vos fichiers) ou son pseudonyme",
        "The participant's id (as in your files) or their pseudonym",
    ),
    "erase_intro": (
        "Efface toutes les données de la personne dans ce pilote (mesures, réponses, "
        "attributs, invitations, consentements). Seul son pseudonyme est gardé, pour qu'un "
        "nouvel import d'un ancien fichier ne la fasse pas revenir. Irréversible.",
        "Erases every piece of the person's data in this pilot (readings, answers, "
        "attributes, invitations, consents). Only their pseudonym is kept, so that "
        "importing an old file again does not bring them back. Cannot be undone.",
    ),
    "erase_confirm": (
        "Je confirme l'effacement définitif de cette personne",
        "I confirm the permanent erasure of this person",
    ),
    "erase_submit": ("Effacer", "Erase"),
    "erase_done": (
        "Effacé : {rows} ligne(s) supprimée(s) (pseudonyme {pseudonym}).",
        "Erased: {rows} row(s) deleted (pseudonym {pseudonym}).",
    ),
    "withdraw_intro": (
        "La personne ne veut plus que ses données servent : elles sortent de toutes les "
        "évaluations dès maintenant (elles restent stockées jusqu'à un effacement ou la fin "
        "de la durée de conservation).",
        "The person no longer wants their data used: it leaves every evaluation from now "
        "on (it stays stored until an erasure or the end of the retention period).",
    ),
    "withdraw_submit": ("Retirer le consentement", "Withdraw consent"),
    "withdraw_done": (
        "Consentement retiré (pseudonyme {pseudonym}).",
        "Consent withdrawn (pseudonym {pseudonym}).",
    ),
    "withdraw_already": (
        "Le consentement de cette personne était déjà retiré (pseudonyme {pseudonym}).",
        "This person's consent was already withdrawn (pseudonym {pseudonym}).",
    ),
    "ref_missing": ("Indiquez un identifiant.", "Give an id."),
    "n_withdrawn": (
        "{n} participant(s) ont retiré leur consentement : leurs données ne comptent dans "
        "aucun résultat.",
        "{n} participant(s) withdrew their consent: their data counts in no result.",
    ),
    "withheld_result": (
        "Résultat masqué : il repose sur trop peu de personnes pour être montré sans "
        "exposer quelqu'un.",
        "Result hidden: it rests on too few people to be shown without exposing someone.",
    ),
}
