"""alert deliveries: which staff message carried which alert, so an alert counts as handled only when it reached someone

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09 06:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reached_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unreached_since', sa.DateTime(timezone=True), nullable=True))
    # Alerts from before this release are not followed up: they count as reached when sent.
    op.execute("UPDATE case_alerts SET reached_at = sent_at WHERE sent_at IS NOT NULL")
    op.create_table(
        'alert_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['case_alerts.id'], ),
        sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_alert_deliveries_alert_id', 'alert_deliveries', ['alert_id'])
    op.create_index('ix_alert_deliveries_officer_id', 'alert_deliveries', ['officer_id'])


def downgrade() -> None:
    op.drop_index('ix_alert_deliveries_officer_id', table_name='alert_deliveries')
    op.drop_index('ix_alert_deliveries_alert_id', table_name='alert_deliveries')
    op.drop_table('alert_deliveries')
    with op.batch_alter_table('case_alerts', schema=None) as batch_op:
        batch_op.drop_column('unreached_since')
        batch_op.drop_column('reached_at')
