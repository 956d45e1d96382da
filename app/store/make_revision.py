"""Developer tool: write the next migration by comparing the models with the head schema.

    .venv/bin/python -m app.store.make_revision "labels and purchase journal"

Builds a scratch database at head, lets Alembic autogenerate the difference to the models in
app.store.models, and writes `app/store/migrations/versions/NNNN_<slug>.py` with the next
number. Read and tidy the result (keep plain `sa.` types, no app imports), then run
tests/store/test_migrations.py, which fails while models and migrations differ.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from app.store.engine import make_engine
from app.store.migrate import alembic_config, head_revision


def make_revision(message: str) -> None:
    """Autogenerate the next numbered revision called `message`."""
    next_id = f"{int(head_revision()) + 1:04d}"
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(Path(folder) / "scratch.sqlite3")
        try:
            with engine.connect() as connection:
                with connection.begin():
                    command.upgrade(alembic_config(connection), "head")
                config = alembic_config(connection)
                config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
                command.revision(config, message=message, autogenerate=True, rev_id=next_id)
        finally:
            engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit('usage: python -m app.store.make_revision "what the revision adds"')
    make_revision(sys.argv[1])
