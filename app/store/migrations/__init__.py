"""Alembic migrations, shipped inside the package and run in-process (see app.store.migrate)."""
