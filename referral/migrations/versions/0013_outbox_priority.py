"""outbox priority: staff alerts and emergency replies are sent before ordinary messages;
messages to staff are found by their address (one notice per Telegram group)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.SmallInteger(), server_default='0', nullable=False))
        batch_op.create_index('ix_messages_address', ['address'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_address')
        batch_op.drop_column('priority')
