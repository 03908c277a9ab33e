"""Alembic environment: the engine is handed in by referral.storage.upgrade.

Applying migrations needs no models; autogenerate (by a developer) needs the app's
metadata, which the caller hands in as the `metadata` attribute.
"""

from alembic import context

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=context.config.attributes.get("metadata"),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
