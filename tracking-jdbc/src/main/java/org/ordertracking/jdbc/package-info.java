/**
 * The {@link org.ordertracking.core.OrderRepository} on a relational database (PostgreSQL,
 * MariaDB/MySQL, H2): {@link org.ordertracking.jdbc.JdbcOrderRepository}, its settings
 * {@link org.ordertracking.jdbc.JdbcConfig} and the schema migrations {@link org.ordertracking.jdbc.JdbcSchema}.
 * Needs only {@code java.sql}; the caller brings the driver and the pool.
 */
package org.ordertracking.jdbc;
