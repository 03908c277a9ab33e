"""inbox bookkeeping

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 19:19:16.892177
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_messages_inbox', ['direction', 'status', 'next_attempt_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_inbox')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('next_attempt_at')

