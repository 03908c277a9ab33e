"""messages to staff: an outbound message without a conversation goes to its own address

Officer alerts and the Telegram group notice go through the outbox like any reply
(queued, retried, never lost on restart); they belong to no reporter's conversation.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('conversation_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('address', sa.String(length=120), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM messages WHERE conversation_id IS NULL")
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.alter_column('conversation_id', existing_type=sa.Integer(), nullable=False)
