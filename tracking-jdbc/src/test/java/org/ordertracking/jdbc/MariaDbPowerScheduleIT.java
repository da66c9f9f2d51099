package org.ordertracking.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** The power schedule on MariaDB ({@code tracking.test.mariadb}). */
class MariaDbPowerScheduleIT extends AbstractJdbcPowerScheduleIT {
    @Override
    protected HikariDataSource openPool() {
        return TestDatabases.pool(TestDatabases.mariadbUrl(), "MariaDB (system property " + TestDatabases.MARIADB_PROPERTY + ")");
    }
}
