-- Order Tracking SDK schema, version 5, MariaDB 10.6+ / MySQL 8.0+: one purger at a time.
-- The retention policy deletes finished orders in batches; each batch is one transaction that first
-- locks the 'retention' row of this table with FOR UPDATE SKIP LOCKED, so on nodes sharing the database
-- one purges and the others find the row taken and skip the run. A row lock, not a lease with an expiry:
-- it is released by the commit, or by the server when the node's connection dies, and needs no clock.
-- Purging itself needs no new index: tracking_orders_status_idx (status, updated_at) finds the finished
-- orders, and the primary keys of the events and notifications tables (both leading with order_id) serve
-- the deletes. INSERT IGNORE, so running the file again after a crash between its two statements is safe.
CREATE TABLE IF NOT EXISTS tracking_locks (
    name VARCHAR(64) NOT NULL,
    CONSTRAINT tracking_locks_pk PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT IGNORE INTO tracking_locks (name) VALUES ('retention');
