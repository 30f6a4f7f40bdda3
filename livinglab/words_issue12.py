"""Words of the citizen's survey path and of the invitation letters (issue 12), merged
into :data:`livinglab.i18n.CATALOG`; the lead moves them into the gettext catalogs."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # --- the language switch on the survey page ---
    "survey_lang_label": ("Langue / Language", "Langue / Language"),
    # --- welcome ---
    "survey_welcome_heading": ("Bienvenue", "Welcome"),
    "survey_welcome_intro": (
        "Vous participez au pilote «\u00a0{pilot}\u00a0», mené par {controller}. "
        "Nous aimerions connaître votre avis.",
        "You are taking part in the pilot “{pilot}”, run by {controller}. "
        "We would like to know your opinion.",
    ),
    "survey_welcome_length": (
        "Le questionnaire compte {n} questions, une par écran. Comptez environ "
        "{minutes} minutes. Vous pouvez vous arrêter et reprendre plus tard avec le même lien.",
        "The questionnaire has {n} questions, one per screen. It takes about {minutes} "
        "minutes. You can stop and come back later with the same link.",
    ),
    "survey_start": ("Commencer", "Start"),
    "survey_controller_unknown": ("l'équipe du Living Lab", "the Living Lab team"),
    # --- consent ---
    "survey_consent_heading": ("Votre accord", "Your consent"),
    "survey_consent_who": (
        "Qui est responsable de vos données : {controller}.",
        "Who is responsible for your data: {controller}.",
    ),
    "survey_consent_why": ("Pourquoi : {purpose}", "Why: {purpose}"),
    "survey_consent_what": (
        "Ce qui est gardé : vos réponses, sous un code (pseudonyme). Ni votre nom ni "
        "votre adresse ne sont conservés avec elles.",
        "What is kept: your answers, under a code (pseudonym). Neither your name nor "
        "your address is kept with them.",
    ),
    "survey_consent_how_long": (
        "Combien de temps : jusqu'au {date} ({days} jours après la fin du pilote), "
        "puis elles sont effacées.",
        "For how long: until {date} ({days} days after the pilot ends), then they are "
        "erased.",
    ),
    "survey_consent_basis_consent": (
        "Sur quelle base : votre accord, que vous pouvez retirer à tout moment.",
        "On what basis: your consent, which you can withdraw at any time.",
    ),
    "survey_consent_basis_public_task": (
        "Sur quelle base : une mission d'intérêt public de la ville.",
        "On what basis: a public-interest task of the city.",
    ),
    "survey_consent_basis_legitimate_interest": (
        "Sur quelle base : l'intérêt légitime de la ville à évaluer ses services.",
        "On what basis: the city's legitimate interest in evaluating its services.",
    ),
    "survey_consent_rights": (
        "Vos droits : vous pouvez retirer votre accord en rouvrant ce lien, et demander à "
        "voir ou à faire effacer vos réponses en écrivant à {contact}. Délégué à la "
        "protection des données : {dpo}.",
        "Your rights: you can withdraw your consent by opening this link again, and ask "
        "to see or erase your answers by writing to {contact}. Data protection officer: {dpo}.",
    ),
    "survey_consent_generic": (
        "Vos réponses sont enregistrées sous un code (pseudonyme) pour évaluer ce service. "
        "Vous pouvez retirer votre accord à tout moment en rouvrant ce lien.",
        "Your answers are recorded under a code (pseudonym) to evaluate this service. You "
        "can withdraw your consent at any time by opening this link again.",
    ),
    "survey_consent_question": (
        "Acceptez-vous de répondre dans ces conditions ?",
        "Do you agree to answer on these terms?",
    ),
    "survey_consent_yes": ("Oui, j'accepte", "Yes, I agree"),
    "survey_consent_no": ("Non, je ne souhaite pas répondre", "No, I do not wish to answer"),
    "survey_declined": (
        "C'est noté : rien n'a été enregistré. Merci d'avoir pris le temps de lire. "
        "Si vous changez d'avis, rouvrez ce lien. Une question : {contact}.",
        "Noted: nothing was recorded. Thank you for taking the time to read. If you change "
        "your mind, open this link again. A question: {contact}.",
    ),
    "survey_reconsider": ("J'ai changé d'avis", "I changed my mind"),
    # --- questions ---
    "survey_progress": ("Question {n} sur {total}", "Question {n} of {total}"),
    "survey_next": ("Suivant", "Next"),
    "survey_previous": ("Précédent", "Previous"),
    "survey_missing": (
        "Choisissez une réponse à la question {n} avant de continuer.",
        "Choose an answer to question {n} before going on.",
    ),
    "survey_saved_note": (
        "Vos réponses sont gardées au fur et à mesure : vous pouvez reprendre plus tard.",
        "Your answers are kept as you go: you can come back later.",
    ),
    # --- review ---
    "survey_review_heading": ("Vérifiez vos réponses", "Check your answers"),
    "survey_review_intro": (
        "Voici vos réponses. Pour en changer une, choisissez «\u00a0Modifier\u00a0».",
        "Here are your answers. To change one, choose “Change”.",
    ),
    "survey_review_item": ("Question {n} : {text}", "Question {n}: {text}"),
    "survey_review_answer": ("Votre réponse : {answer}", "Your answer: {answer}"),
    "survey_change": ("Modifier la question {n}", "Change question {n}"),
    "survey_review_missing": (
        "La question {n} n'a pas de réponse : répondez-y avant d'envoyer.",
        "Question {n} has no answer: answer it before sending.",
    ),
    # --- thank you, already answered, withdrawal ---
    "survey_thanks_heading": ("Merci !", "Thank you!"),
    "survey_thanks_body": (
        "Vos réponses ont bien été enregistrées. Vous pouvez fermer cette page.",
        "Your answers were recorded. You may close this page.",
    ),
    "survey_withdraw_how": (
        "Vous pouvez retirer votre accord à tout moment : rouvrez ce lien et choisissez "
        "«\u00a0Retirer mon accord\u00a0», ou écrivez à {contact}.",
        "You can withdraw your consent at any time: open this link again and choose "
        "“Withdraw my consent”, or write to {contact}.",
    ),
    "survey_withdraw": ("Retirer mon accord", "Withdraw my consent"),
    "survey_withdrawn": (
        "Votre accord est retiré : vos réponses ne seront plus utilisées pour évaluer "
        "ce service. Pour les faire effacer, écrivez à {contact}.",
        "Your consent is withdrawn: your answers will no longer be used to evaluate this "
        "service. To have them erased, write to {contact}.",
    ),
    "survey_already_heading": ("Déjà répondu", "Already answered"),
    "survey_refused_heading": ("Ce lien ne peut pas servir", "This link cannot be used"),
    "survey_contact": (
        "Une question ? Écrivez à l'équipe du pilote : {contact}.",
        "A question? Write to the pilot's team: {contact}.",
    ),
    "survey_contact_unknown": (
        "Une question ? Contactez l'équipe du Living Lab qui vous a écrit (son adresse "
        "figure sur votre courrier ou votre courriel).",
        "A question? Contact the Living Lab team that wrote to you (its address is on "
        "your letter or e-mail).",
    ),
    # --- invitation letters (PDF) ---
    "letter_greeting": ("Madame, Monsieur,", "Dear participant,"),
    "letter_body": (
        "Vous participez au pilote «\u00a0{pilot}\u00a0» mené par {controller}. Votre avis nous "
        "est précieux : le questionnaire prend environ {minutes} minutes.",
        "You are taking part in the pilot “{pilot}” run by {controller}. Your opinion "
        "matters: the questionnaire takes about {minutes} minutes.",
    ),
    "letter_how": (
        "Pour répondre, scannez ce code avec l'appareil photo de votre téléphone, ou "
        "tapez l'adresse ci-dessous dans votre navigateur :",
        "To answer, scan this code with your phone's camera, or type the address below "
        "into your browser:",
    ),
    "letter_expires": ("Ce lien est valable jusqu'au {date}.", "This link is valid until {date}."),
    "letter_personal": (
        "Ce lien est personnel : il ne sert qu'une fois. Merci de ne pas le partager.",
        "This link is personal: it works once. Please do not share it.",
    ),
    "letter_contact": (
        "Une question ? {contact}",
        "A question? {contact}",
    ),
    "letter_qr_alt": ("Code QR du lien de l'enquête", "QR code of the survey link"),
}
