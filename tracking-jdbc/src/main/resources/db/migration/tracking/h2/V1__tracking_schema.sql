-- Order Tracking SDK schema, version 1, H2 2.x.
-- Every identifier that starts with the default table prefix is renamed by JdbcSchema when it runs
-- with another prefix; Flyway applies this file as it is (default prefix only).
-- Instants are epoch milliseconds (BIGINT, UTC by definition); statuses are their snake_case names.
-- H2 has no partial indexes: the outbox index leads with the published flag instead.

CREATE TABLE IF NOT EXISTS tracking_orders (
    order_id      VARCHAR(128)     NOT NULL,
    restaurant_id VARCHAR(128)     NOT NULL,
    customer_id   VARCHAR(128)     NOT NULL,
    driver_id     VARCHAR(128),
    dest_lat      DOUBLE PRECISION NOT NULL,
    dest_lon      DOUBLE PRECISION NOT NULL,
    status        VARCHAR(16)      NOT NULL,
    seq           BIGINT           NOT NULL,
    created_at    BIGINT           NOT NULL,
    updated_at    BIGINT           NOT NULL,
    CONSTRAINT tracking_orders_pk PRIMARY KEY (order_id)
);

CREATE INDEX IF NOT EXISTS tracking_orders_restaurant_idx ON tracking_orders (restaurant_id, created_at);
CREATE INDEX IF NOT EXISTS tracking_orders_customer_idx ON tracking_orders (customer_id, created_at);
CREATE INDEX IF NOT EXISTS tracking_orders_driver_idx ON tracking_orders (driver_id, created_at);
CREATE INDEX IF NOT EXISTS tracking_orders_status_idx ON tracking_orders (status, updated_at);

CREATE TABLE IF NOT EXISTS tracking_order_events (
    order_id        VARCHAR(128) NOT NULL,
    seq             BIGINT       NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    previous_status VARCHAR(16),
    reason          VARCHAR(500),
    actor           VARCHAR(200),
    occurred_at     BIGINT       NOT NULL,
    published       BOOLEAN      DEFAULT FALSE NOT NULL,
    CONSTRAINT tracking_order_events_pk PRIMARY KEY (order_id, seq),
    CONSTRAINT tracking_order_events_order_fk FOREIGN KEY (order_id) REFERENCES tracking_orders (order_id)
);

CREATE INDEX IF NOT EXISTS tracking_order_events_unpublished_idx
    ON tracking_order_events (published, occurred_at, order_id, seq);

CREATE TABLE IF NOT EXISTS tracking_notifications (
    order_id   VARCHAR(128) NOT NULL,
    moment     VARCHAR(16)  NOT NULL,
    claimed_at BIGINT       NOT NULL,
    CONSTRAINT tracking_notifications_pk PRIMARY KEY (order_id, moment)
);
