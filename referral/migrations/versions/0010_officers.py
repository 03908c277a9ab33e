"""duty officers: remits, link codes, the roster, takeovers, and alerts that wait to be taken

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facility_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('remit_all', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('duty_override', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('duty_override_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('current_conversation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('awaiting', sa.JSON(), nullable=True))
        batch_op.create_foreign_key('fk_officers_facility', 'facilities', ['facility_id'], ['id'])
        batch_op.create_foreign_key('fk_officers_current_conversation', 'conversations', ['current_conversation_id'], ['id'])
    # Officers from before remits: duty officers and coordinators everywhere, as they were alerted.
    op.execute("UPDATE officers SET role = 'officer' WHERE role = 'duty'")
    op.execute("UPDATE officers SET remit_all = TRUE WHERE role IN ('officer', 'coordinator', 'admin')")

    op.create_table(
        'officer_regions',
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
        sa.PrimaryKeyConstraint('officer_id', 'code'),
    )
    op.create_index('ix_officer_regions_code', 'officer_regions', ['code'])
    op.create_table(
        'officer_link_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code_hash'),
    )
    op.create_index('ix_officer_link_codes_officer_id', 'officer_link_codes', ['officer_id'])
    op.create_table(
        'duty_shifts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=True),
        sa.Column('on_date', sa.String(length=10), nullable=True),
        sa.Column('starts', sa.String(length=5), nullable=False),
        sa.Column('ends', sa.String(length=5), nullable=False),
        sa.Column('on_duty', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_duty_shifts_officer_id', 'duty_shifts', ['officer_id'])
    op.create_table(
        'takeovers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ),
        sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_takeovers_conversation_id', 'takeovers', ['conversation_id'])
    op.create_index('ix_takeovers_open', 'takeovers', ['ended_at', 'officer_id'])

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('officer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('engine_paused', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key('fk_conversations_officer', 'officers', ['officer_id'], ['id'])

    with op.batch_alter_table('case_alerts', schema=None) as batch_op:
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('conversation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('referral_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('repeats', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key('fk_case_alerts_conversation', 'conversations', ['conversation_id'], ['id'])
        batch_op.create_foreign_key('fk_case_alerts_referral', 'referrals', ['referral_id'], ['id'])
        batch_op.create_index('ix_case_alerts_case_id', ['case_id'], unique=False)
        batch_op.create_index('ix_case_alerts_conversation_id', ['conversation_id'], unique=False)
        batch_op.create_index('ix_case_alerts_open', ['resolved_at', 'reason'], unique=False)
    # Alerts from before this release were sent once and are not waited on.
    op.execute("UPDATE case_alerts SET resolved_at = sent_at, last_sent_at = sent_at WHERE sent_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('case_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_case_alerts_open')
        batch_op.drop_index('ix_case_alerts_conversation_id')
        batch_op.drop_index('ix_case_alerts_case_id')
        batch_op.drop_constraint('fk_case_alerts_referral', type_='foreignkey')
        batch_op.drop_constraint('fk_case_alerts_conversation', type_='foreignkey')
        for column in ('resolved_at', 'escalated_at', 'repeats', 'last_sent_at', 'referral_id', 'conversation_id'):
            batch_op.drop_column(column)
    op.execute("DELETE FROM case_alerts WHERE case_id IS NULL")
    with op.batch_alter_table('case_alerts', schema=None) as batch_op:
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_constraint('fk_conversations_officer', type_='foreignkey')
        batch_op.drop_column('engine_paused')
        batch_op.drop_column('officer_id')
    op.drop_index('ix_takeovers_open', table_name='takeovers')
    op.drop_index('ix_takeovers_conversation_id', table_name='takeovers')
    op.drop_table('takeovers')
    op.drop_index('ix_duty_shifts_officer_id', table_name='duty_shifts')
    op.drop_table('duty_shifts')
    op.drop_index('ix_officer_link_codes_officer_id', table_name='officer_link_codes')
    op.drop_table('officer_link_codes')
    op.drop_index('ix_officer_regions_code', table_name='officer_regions')
    op.drop_table('officer_regions')
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_constraint('fk_officers_current_conversation', type_='foreignkey')
        batch_op.drop_constraint('fk_officers_facility', type_='foreignkey')
        for column in ('awaiting', 'current_conversation_id', 'duty_override_until', 'duty_override', 'remit_all', 'facility_id'):
            batch_op.drop_column(column)
