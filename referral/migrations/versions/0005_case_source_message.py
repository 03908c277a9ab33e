"""cases remember the message that opened them (a turn Rasa runs twice opens one case)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_message_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_case_source_message', ['conversation_id', 'source_message_id'])


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('uq_case_source_message', type_='unique')
        batch_op.drop_column('source_message_id')
