"""mirror, plans, restocks, sync state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:53:18.323710
"""

import sqlalchemy as sa
from alembic import op

import app.storage.types

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('eta_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('line_id', sa.String(length=100), nullable=False),
    sa.Column('old_eta', sa.Date(), nullable=True),
    sa.Column('new_eta', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=255), nullable=False),
    sa.Column('changed_at', app.storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('eta_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eta_changes_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eta_changes_shop'), ['shop'], unique=False)

    op.create_table('order_lines',
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('line_id', sa.String(length=100), nullable=False),
    sa.Column('order_id', sa.String(length=100), nullable=False),
    sa.Column('variant_id', sa.String(length=100), nullable=False),
    sa.Column('pool', sa.String(length=220), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('open_quantity', sa.Integer(), nullable=False),
    sa.Column('ordered_at', app.storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('manual_priority', sa.Integer(), nullable=False),
    sa.Column('covered', sa.Integer(), nullable=False),
    sa.Column('backordered', sa.Integer(), nullable=False),
    sa.Column('queue_position', sa.Integer(), nullable=True),
    sa.Column('eta', sa.Date(), nullable=True),
    sa.Column('eta_earliest', sa.Date(), nullable=True),
    sa.Column('eta_latest', sa.Date(), nullable=True),
    sa.Column('eta_source', sa.String(length=32), nullable=True),
    sa.Column('eta_confidence', sa.String(length=16), nullable=True),
    sa.Column('eta_restock_id', sa.String(length=64), nullable=True),
    sa.Column('eta_slipped', sa.Boolean(), nullable=False),
    sa.Column('first_eta', sa.Date(), nullable=True),
    sa.Column('backordered_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('filled_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('alternatives', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('shop', 'line_id')
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index('ix_order_lines_order', ['shop', 'order_id'], unique=False)
        batch_op.create_index('ix_order_lines_pool', ['shop', 'pool'], unique=False)

    op.create_table('order_sync',
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('order_id', sa.String(length=100), nullable=False),
    sa.Column('desired', sa.JSON(), nullable=False),
    sa.Column('applied', sa.JSON(), nullable=False),
    sa.Column('pending', sa.Boolean(), nullable=False),
    sa.Column('awaiting_fulfillment_orders', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('synced_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('shop', 'order_id')
    )
    with op.batch_alter_table('order_sync', schema=None) as batch_op:
        batch_op.create_index('ix_order_sync_pending', ['shop', 'pending'], unique=False)

    op.create_table('orders',
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('order_id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('customer_id', sa.String(length=64), nullable=True),
    sa.Column('customer_tags', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('shop', 'order_id')
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_customer_id'), ['customer_id'], unique=False)

    op.create_table('pools',
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('pool', sa.String(length=220), nullable=False),
    sa.Column('supply', sa.Integer(), nullable=False),
    sa.Column('units_owed', sa.Integer(), nullable=False),
    sa.Column('short_since', sa.Date(), nullable=True),
    sa.Column('planned_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('shop', 'pool')
    )
    op.create_table('restocks',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('pool', sa.String(length=220), nullable=False),
    sa.Column('variant_id', sa.String(length=100), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('expected_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('reference', sa.String(length=255), nullable=False),
    sa.Column('created_at', app.storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('arrived_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('restocks', schema=None) as batch_op:
        batch_op.create_index('ix_restocks_pool', ['shop', 'pool'], unique=False)

    op.create_table('stock_levels',
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('inventory_item_id', sa.String(length=100), nullable=False),
    sa.Column('location_id', sa.String(length=100), nullable=False),
    sa.Column('available', sa.Integer(), nullable=False),
    sa.Column('committed', sa.Integer(), nullable=True),
    sa.Column('on_hand', sa.Integer(), nullable=True),
    sa.Column('incoming', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('shop', 'inventory_item_id', 'location_id')
    )
    op.create_table('stockouts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('pool', sa.String(length=220), nullable=False),
    sa.Column('variant_id', sa.String(length=100), nullable=False),
    sa.Column('vendor', sa.String(length=255), nullable=False),
    sa.Column('stockout_on', sa.Date(), nullable=False),
    sa.Column('restocked_on', sa.Date(), nullable=True),
    sa.Column('expected_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stockouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stockouts_shop'), ['shop'], unique=False)

    op.create_table('variants',
    sa.Column('shop', sa.String(length=255), nullable=False),
    sa.Column('variant_id', sa.String(length=100), nullable=False),
    sa.Column('product_id', sa.String(length=100), nullable=False),
    sa.Column('inventory_item_id', sa.String(length=100), nullable=True),
    sa.Column('product_title', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('sku', sa.String(length=255), nullable=False),
    sa.Column('vendor', sa.String(length=255), nullable=False),
    sa.Column('product_type', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('price', sa.String(length=32), nullable=False),
    sa.Column('inventory_policy', sa.String(length=10), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('collections', sa.JSON(), nullable=False),
    sa.Column('substitutes', sa.JSON(), nullable=False),
    sa.Column('updated_at', app.storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('shop', 'variant_id')
    )
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.create_index('ix_variants_item', ['shop', 'inventory_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_variants_product_id'), ['product_id'], unique=False)

    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alternatives', sa.JSON(), nullable=False, server_default='{}'))



def downgrade() -> None:
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('alternatives')

    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variants_product_id'))
        batch_op.drop_index('ix_variants_item')

    op.drop_table('variants')
    with op.batch_alter_table('stockouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stockouts_shop'))

    op.drop_table('stockouts')
    op.drop_table('stock_levels')
    with op.batch_alter_table('restocks', schema=None) as batch_op:
        batch_op.drop_index('ix_restocks_pool')

    op.drop_table('restocks')
    op.drop_table('pools')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_customer_id'))

    op.drop_table('orders')
    with op.batch_alter_table('order_sync', schema=None) as batch_op:
        batch_op.drop_index('ix_order_sync_pending')

    op.drop_table('order_sync')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_order_lines_pool')
        batch_op.drop_index('ix_order_lines_order')

    op.drop_table('order_lines')
    with op.batch_alter_table('eta_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eta_changes_shop'))
        batch_op.drop_index(batch_op.f('ix_eta_changes_line_id'))

    op.drop_table('eta_changes')
