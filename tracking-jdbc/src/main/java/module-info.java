/**
 * JDBC {@code OrderRepository} for PostgreSQL, MariaDB/MySQL 8 and H2, with its schema scripts.
 *
 * <p>Exports the API package only. The schema scripts' folders are open, so that a migration tool
 * such as Flyway can read them from the module ({@code classpath:db/migration/tracking/<dialect>}).
 *
 * @since 0.1.0
 */
module org.ordertracking.jdbc {
    requires transitive org.ordertracking.core;
    requires transitive java.sql;
    requires org.slf4j;

    exports org.ordertracking.jdbc;

    opens db.migration.tracking.postgresql;
    opens db.migration.tracking.mariadb;
    opens db.migration.tracking.h2;
}
