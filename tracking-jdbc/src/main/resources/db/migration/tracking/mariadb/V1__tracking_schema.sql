-- Order Tracking SDK schema, version 1, MariaDB 10.6+ / MySQL 8.0+ (InnoDB).
-- Every identifier that starts with the default table prefix is renamed by JdbcSchema when it runs
-- with another prefix; Flyway applies this file as it is (default prefix only).
-- Instants are epoch milliseconds (BIGINT, UTC by definition); statuses are their snake_case names.
-- Indexes are declared inside CREATE TABLE so the file also runs on MySQL (no CREATE INDEX IF NOT EXISTS).
-- utf8mb4 for any reason text; binary collation so ids compare exactly as in Java.

CREATE TABLE IF NOT EXISTS tracking_orders (
    order_id      VARCHAR(128) NOT NULL,
    restaurant_id VARCHAR(128) NOT NULL,
    customer_id   VARCHAR(128) NOT NULL,
    driver_id     VARCHAR(128),
    dest_lat      DOUBLE       NOT NULL,
    dest_lon      DOUBLE       NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    seq           BIGINT       NOT NULL,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    CONSTRAINT tracking_orders_pk PRIMARY KEY (order_id),
    INDEX tracking_orders_restaurant_idx (restaurant_id, created_at),
    INDEX tracking_orders_customer_idx (customer_id, created_at),
    INDEX tracking_orders_driver_idx (driver_id, created_at),
    INDEX tracking_orders_status_idx (status, updated_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tracking_order_events (
    order_id        VARCHAR(128) NOT NULL,
    seq             BIGINT       NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    previous_status VARCHAR(16),
    reason          VARCHAR(500),
    actor           VARCHAR(200),
    occurred_at     BIGINT       NOT NULL,
    published       BOOLEAN      NOT NULL DEFAULT FALSE,
    CONSTRAINT tracking_order_events_pk PRIMARY KEY (order_id, seq),
    INDEX tracking_order_events_unpublished_idx (published, occurred_at, order_id, seq),
    CONSTRAINT tracking_order_events_order_fk FOREIGN KEY (order_id) REFERENCES tracking_orders (order_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tracking_notifications (
    order_id   VARCHAR(128) NOT NULL,
    moment     VARCHAR(16)  NOT NULL,
    claimed_at BIGINT       NOT NULL,
    CONSTRAINT tracking_notifications_pk PRIMARY KEY (order_id, moment)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
