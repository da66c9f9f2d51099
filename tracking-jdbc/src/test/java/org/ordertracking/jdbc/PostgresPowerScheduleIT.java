package org.ordertracking.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** The power schedule on PostgreSQL ({@code tracking.test.postgres}). */
class PostgresPowerScheduleIT extends AbstractJdbcPowerScheduleIT {
    @Override
    protected HikariDataSource openPool() {
        return TestDatabases.pool(TestDatabases.postgresUrl(), "PostgreSQL (system property " + TestDatabases.POSTGRES_PROPERTY + ")");
    }
}
