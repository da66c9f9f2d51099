package org.ordertracking.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** The repository on MariaDB ({@code tracking.test.mariadb}). */
class MariaDbOrderRepositoryIT extends AbstractJdbcRepositoryIT {
    @Override
    protected HikariDataSource openPool() {
        return TestDatabases.pool(TestDatabases.mariadbUrl(),
                "MariaDB (system property " + TestDatabases.MARIADB_PROPERTY + ")");
    }
}
