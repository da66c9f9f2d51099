-- Order Tracking SDK schema, version 5, H2 2.x: one purger at a time.
-- The retention policy deletes finished orders in batches; each batch is one transaction that first
-- locks the 'retention' row of this table with FOR UPDATE SKIP LOCKED, so two purgers never run a batch
-- at once (on H2, two threads of one process, or processes sharing an H2 server). Purging itself needs no
-- new index: tracking_orders_status_idx (status, updated_at) finds the finished orders, and the primary
-- keys of the events and notifications tables (both leading with order_id) serve the deletes.
CREATE TABLE IF NOT EXISTS tracking_locks (
    name VARCHAR(64) NOT NULL,
    CONSTRAINT tracking_locks_pk PRIMARY KEY (name)
);

MERGE INTO tracking_locks (name) KEY (name) VALUES ('retention');
