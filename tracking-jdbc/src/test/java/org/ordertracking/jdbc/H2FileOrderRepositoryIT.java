package org.ordertracking.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;

/** The repository on an H2 file database under {@code target/h2-it}, deleted afterwards. */
class H2FileOrderRepositoryIT extends AbstractJdbcRepositoryIT {
    private final Path base = TestDatabases.h2FileBase();

    @Override
    protected HikariDataSource openPool() {
        return TestDatabases.pool(TestDatabases.h2FileUrl(base), "H2 file database " + base);
    }

    @Override
    protected void cleanUp() throws Exception {
        TestDatabases.deleteH2Files(base);
    }
}
