"""shops, oauth states, webhook receipts, data exports

Revision ID: 0001
Revises:
Create Date: 2026-11-22 03:42:26.276413
"""

import sqlalchemy as sa
from alembic import op

import app.storage.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('data_exports',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('customer_id', sa.String(length=64), nullable=True),
    sa.Column('data_request_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', app.storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_exports_shop'), ['shop'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_exports_customer_id'), ['customer_id'], unique=False)

    op.create_table('oauth_states',
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('created_at', app.storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('nonce')
    )
    op.create_table('shops',
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('installed', sa.Boolean(), nullable=False),
    sa.Column('scopes', sa.Text(), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=True),
    sa.Column('access_expires_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('refresh_token', sa.Text(), nullable=True),
    sa.Column('refresh_expires_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('installed_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('uninstalled_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('policy', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('shop')
    )
    op.create_table('webhook_receipts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('webhook_id', sa.String(length=255), nullable=False),
    sa.Column('event_id', sa.String(length=255), nullable=True),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('api_version', sa.String(length=20), nullable=True),
    sa.Column('triggered_at', sa.String(length=64), nullable=True),
    sa.Column('received_at', app.storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.Column('processed_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('webhook_id', name='uq_webhook_receipts_webhook_id')
    )
    with op.batch_alter_table('webhook_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_receipts_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_receipts_processed_at'), ['processed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_receipts_shop'), ['shop'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('webhook_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_receipts_shop'))
        batch_op.drop_index(batch_op.f('ix_webhook_receipts_processed_at'))
        batch_op.drop_index(batch_op.f('ix_webhook_receipts_event_id'))

    op.drop_table('webhook_receipts')
    op.drop_table('shops')
    op.drop_table('oauth_states')
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_exports_shop'))
        batch_op.drop_index(batch_op.f('ix_data_exports_customer_id'))

    op.drop_table('data_exports')
