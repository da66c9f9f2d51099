-- Order Tracking SDK schema, version 4, H2 2.x: what the operators' watch needs to decide alike on
-- every node and after a restart.
-- tracking_restaurant_presence: one row per restaurant whose board was ever seen or counted offline:
-- its last sign of life (a board stream open, a poll), and the offline flag that the presence monitor
-- flips with a compare-and-set (UPDATE … WHERE offline = FALSE), so one node announces each change.
-- A small table (one row per restaurant): the monitor reads its offline rows with a scan.
CREATE TABLE IF NOT EXISTS tracking_restaurant_presence (
    restaurant_id VARCHAR(128) NOT NULL,
    last_seen_at  BIGINT,
    offline       BOOLEAN      DEFAULT FALSE NOT NULL,
    changed_at    BIGINT,
    CONSTRAINT tracking_restaurant_presence_pk PRIMARY KEY (restaurant_id)
);

-- tracking_stuck_orders: the claim that makes the stuck-order watchdog announce each order and status
-- once across nodes and restarts (as tracking_notifications does for pushes).
CREATE TABLE IF NOT EXISTS tracking_stuck_orders (
    order_id   VARCHAR(128) NOT NULL,
    status     VARCHAR(16)  NOT NULL,
    claimed_at BIGINT       NOT NULL,
    CONSTRAINT tracking_stuck_orders_pk PRIMARY KEY (order_id, status)
);
