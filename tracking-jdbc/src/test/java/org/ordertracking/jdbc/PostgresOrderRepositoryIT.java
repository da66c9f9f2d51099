package org.ordertracking.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** The repository on PostgreSQL ({@code tracking.test.postgres}). */
class PostgresOrderRepositoryIT extends AbstractJdbcRepositoryIT {
    @Override
    protected HikariDataSource openPool() {
        return TestDatabases.pool(TestDatabases.postgresUrl(),
                "PostgreSQL (system property " + TestDatabases.POSTGRES_PROPERTY + ")");
    }
}
