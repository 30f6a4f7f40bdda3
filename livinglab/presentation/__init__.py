"""What a reader sees: the sentences, tables and notices that the pages, the CLI and the
dossier render from the evaluation's typed results."""
