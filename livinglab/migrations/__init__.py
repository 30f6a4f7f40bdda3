"""Alembic migrations of the store, packaged so that an installed livinglab can migrate.

Run them with :func:`livinglab.store.engine.migrate`. To write a new revision after
changing ``livinglab/store/models.py``::

    alembic -c livinglab/migrations/alembic.ini revision --autogenerate -m "what changed"
"""
