"""alert deliveries remember whether they went beyond the officer's remit (a fallback rung)
and where the case lay then: such an alert lets the officer see its case only while it is
unresolved or the case, still open, lies where it did

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('beyond_remit', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('case_place', sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('alert_deliveries', schema=None) as batch_op:
        batch_op.drop_column('case_place')
        batch_op.drop_column('beyond_remit')
