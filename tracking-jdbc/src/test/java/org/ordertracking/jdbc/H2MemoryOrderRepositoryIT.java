package org.ordertracking.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** The repository on an in-memory H2 database of its own. */
class H2MemoryOrderRepositoryIT extends AbstractJdbcRepositoryIT {
    @Override
    protected HikariDataSource openPool() {
        return TestDatabases.pool(TestDatabases.h2MemoryUrl(), "H2 in memory");
    }
}
