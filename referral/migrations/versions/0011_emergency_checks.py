"""emergency checks: a classifier-only emergency asks "in danger now?" before officers are alerted

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 06:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'emergency_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=True),
        sa.Column('reporter_id', sa.Integer(), nullable=True),
        sa.Column('source_message_id', sa.Integer(), nullable=True),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ),
        sa.ForeignKeyConstraint(['reporter_id'], ['reporters.id'], ),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_emergency_checks_conversation_id', 'emergency_checks', ['conversation_id'])
    op.create_index('ix_emergency_checks_open', 'emergency_checks', ['settled_at', 'asked_at'])


def downgrade() -> None:
    op.drop_index('ix_emergency_checks_open', table_name='emergency_checks')
    op.drop_index('ix_emergency_checks_conversation_id', table_name='emergency_checks')
    op.drop_table('emergency_checks')
