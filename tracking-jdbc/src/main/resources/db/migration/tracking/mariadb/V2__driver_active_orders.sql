-- Order Tracking SDK schema, version 2, MariaDB 10.6+ / MySQL 8.0+: the active orders of a driver.
-- A driver socket now reads its driver's live orders every time it opens (and GET /drivers/{id}/orders
-- does on every poll). With version 1's (driver_id, created_at) that query walked every order the
-- driver ever delivered and filtered on status; with status second in the index, the optimizer turns
-- "status NOT IN ('delivered', 'failed')" into ranges and reads only the live rows (checked with
-- EXPLAIN on MariaDB 10.11: type range on this index). The new index serves every lookup the old one
-- did, so it replaces it. One ALTER TABLE, so the two changes happen together (plain syntax: MySQL 8
-- has no ADD INDEX IF NOT EXISTS).
ALTER TABLE tracking_orders
    ADD INDEX tracking_orders_driver_status_idx (driver_id, status, created_at),
    DROP INDEX tracking_orders_driver_idx;
