"""reporters who write in Javanese or Sundanese (answered in Indonesian; counted in the digest)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 14:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reporters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regional_language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reporters', schema=None) as batch_op:
        batch_op.drop_column('regional_language')
