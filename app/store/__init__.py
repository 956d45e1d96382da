"""SQLite persistence: SQLAlchemy 2 models, repositories, engine set-up and Alembic migrations."""
