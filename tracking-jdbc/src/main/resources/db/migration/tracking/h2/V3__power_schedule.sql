-- Order Tracking SDK schema, version 3, H2 2.x: the power-cut schedule (JdbcPowerSchedule).
-- One plan for every node: the areas with their time zone, their daily windows (local seconds of the
-- day in the area's zone; an end before the start crosses midnight) and one-off windows (epoch
-- milliseconds), the area of each restaurant, and the at-risk announcements claimed (one row per
-- order, so order_at_risk is published once across nodes). JdbcPowerSchedule.replace rewrites the
-- first three tables in one transaction.

-- one row: JdbcPowerSchedule.replace locks it first, so two replacements run one after the other
CREATE TABLE IF NOT EXISTS tracking_power_plan (
    plan_id     INT    NOT NULL,
    revision    BIGINT NOT NULL,
    replaced_at BIGINT NOT NULL,
    CONSTRAINT tracking_power_plan_pk PRIMARY KEY (plan_id)
);

MERGE INTO tracking_power_plan (plan_id, revision, replaced_at) KEY (plan_id) VALUES (1, 0, 0);

CREATE TABLE IF NOT EXISTS tracking_power_areas (
    area_id VARCHAR(128) NOT NULL,
    zone_id VARCHAR(64)  NOT NULL,
    CONSTRAINT tracking_power_areas_pk PRIMARY KEY (area_id)
);

CREATE TABLE IF NOT EXISTS tracking_power_windows (
    area_id      VARCHAR(128) NOT NULL,
    window_no    INT          NOT NULL,
    kind         VARCHAR(16)  NOT NULL,
    daily_start  INT,
    daily_end    INT,
    one_off_start BIGINT,
    one_off_end   BIGINT,
    CONSTRAINT tracking_power_windows_pk PRIMARY KEY (area_id, window_no),
    CONSTRAINT tracking_power_windows_area_fk FOREIGN KEY (area_id) REFERENCES tracking_power_areas (area_id)
);

CREATE TABLE IF NOT EXISTS tracking_power_restaurants (
    restaurant_id VARCHAR(128) NOT NULL,
    area_id       VARCHAR(128) NOT NULL,
    CONSTRAINT tracking_power_restaurants_pk PRIMARY KEY (restaurant_id),
    CONSTRAINT tracking_power_restaurants_area_fk FOREIGN KEY (area_id) REFERENCES tracking_power_areas (area_id)
);

CREATE TABLE IF NOT EXISTS tracking_power_announcements (
    order_id   VARCHAR(128) NOT NULL,
    claimed_at BIGINT       NOT NULL,
    CONSTRAINT tracking_power_announcements_pk PRIMARY KEY (order_id)
);

-- the hourly prune of claims older than a day
CREATE INDEX IF NOT EXISTS tracking_power_announcements_claimed_idx ON tracking_power_announcements (claimed_at);
