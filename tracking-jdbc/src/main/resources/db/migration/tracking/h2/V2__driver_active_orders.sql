-- Order Tracking SDK schema, version 2, H2 2.x: the active orders of a driver.
-- A driver socket now reads its driver's live orders every time it opens (and GET /drivers/{id}/orders
-- does on every poll). H2 has no partial indexes and does not turn "status NOT IN (…)" into index
-- ranges, so with version 1's (driver_id, created_at) that query walked every order the driver ever
-- delivered. A generated column that holds the driver only while the order is live, indexed, is the
-- partial index PostgreSQL has: the query reads exactly the driver's live rows (checked with EXPLAIN
-- ANALYZE: scanCount = rows returned + 1). It replaces the old index, which nothing else used.
ALTER TABLE tracking_orders ADD COLUMN IF NOT EXISTS active_driver_id VARCHAR(128)
    GENERATED ALWAYS AS (CASE WHEN status IN ('delivered', 'failed') THEN NULL ELSE driver_id END);

CREATE INDEX IF NOT EXISTS tracking_orders_driver_active_idx ON tracking_orders (active_driver_id, created_at);

DROP INDEX IF EXISTS tracking_orders_driver_idx;
