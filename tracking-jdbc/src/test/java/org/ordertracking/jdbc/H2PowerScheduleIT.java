package org.ordertracking.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** The power schedule on an in-memory H2 database of its own. */
class H2PowerScheduleIT extends AbstractJdbcPowerScheduleIT {
    @Override
    protected HikariDataSource openPool() {
        return TestDatabases.pool(TestDatabases.h2MemoryUrl(), "H2 in memory");
    }
}
