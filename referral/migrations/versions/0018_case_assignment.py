"""cases.assigned_officer_id: the officer a coordinator asked to handle the case

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 04:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_officer_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_cases_assigned_officer', 'officers', ['assigned_officer_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cases_assigned_officer', type_='foreignkey')
        batch_op.drop_column('assigned_officer_id')
