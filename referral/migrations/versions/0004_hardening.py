"""hardening: provider ids unique per conversation, inbox lease tokens, case alerts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        # Provider ids are unique within one conversation ("a:b"+"c" can no longer
        # collide with "a"+"b:c" across senders).
        batch_op.drop_constraint('uq_message_provider_id', type_='unique')
        batch_op.create_unique_constraint(
            'uq_message_provider_id', ['conversation_id', 'direction', 'provider_message_id']
        )
        batch_op.add_column(sa.Column('lease_token', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_messages_provider_id', ['channel', 'provider_message_id'], unique=False)
    op.create_table(
        'case_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=24), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_alerts_pending', 'case_alerts', ['sent_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_case_alerts_pending', table_name='case_alerts')
    op.drop_table('case_alerts')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_provider_id')
        batch_op.drop_column('lease_token')
        batch_op.drop_constraint('uq_message_provider_id', type_='unique')
        batch_op.create_unique_constraint('uq_message_provider_id', ['channel', 'direction', 'provider_message_id'])
