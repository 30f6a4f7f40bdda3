"""What a reader sees: chart builders (Altair, no Streamlit), the sentences, the report
model and the council dossier.

- :mod:`livinglab.presentation.sentences`: the one place where results become
  sentences (pages, CLI and dossier call it);
- :mod:`livinglab.presentation.charts`: Altair figures with their text alternative;
- :mod:`livinglab.presentation.report`: what a pilot's page shows beyond the
  evaluation (weekly series, answer distributions, portfolio rows, display tables);
- :mod:`livinglab.presentation.dossier`: the self-contained HTML / PDF dossier;
- :mod:`livinglab.presentation.plan`: the analysis-plan notice (registered plan, changes).

Nothing here imports Streamlit or the store: the services hand in results.
"""
