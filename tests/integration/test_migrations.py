"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import wiring.schedule_models  # noqa: F401  (the scheduler's tables, on the same Base)
import messaging.models  # noqa: F401  (its tables are on the same Base)
from referral.models import Base
from referral.storage import make_engine, upgrade


def test_migrations_match_the_models(database_url):
    engine = make_engine(database_url)
    upgrade(engine)  # already at head: a second run is a no-op
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []
