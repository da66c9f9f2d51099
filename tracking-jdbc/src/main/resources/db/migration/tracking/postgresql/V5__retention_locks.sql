-- Order Tracking SDK schema, version 5, PostgreSQL: one purger at a time.
-- The retention policy deletes finished orders in batches; each batch is one transaction that first
-- locks the 'retention' row of this table with FOR UPDATE SKIP LOCKED, so on nodes sharing the database
-- one purges and the others find the row taken and skip the run. A row lock, not a lease with an expiry:
-- it is released by the commit, or by the database when the node dies, and needs no clock. Purging itself
-- needs no new index: tracking_orders_status_idx (status, updated_at) finds the finished orders, and the
-- primary keys of the events and notifications tables (both leading with order_id) serve the deletes.
CREATE TABLE IF NOT EXISTS tracking_locks (
    name VARCHAR(64) NOT NULL,
    CONSTRAINT tracking_locks_pk PRIMARY KEY (name)
);

INSERT INTO tracking_locks (name) VALUES ('retention') ON CONFLICT (name) DO NOTHING;
