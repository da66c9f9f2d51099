package org.ordertracking.jdbc;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class JdbcSchemaTest {

    /**
     * A data source whose metadata claims a product tracking-jdbc does not speak. Only metadata is
     * stubbed (no database here runs Oracle); every other call fails.
     */
    private static DataSource claiming(String product, AtomicInteger closed) {
        DatabaseMetaData meta = (DatabaseMetaData) Proxy.newProxyInstance(JdbcSchemaTest.class.getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getDatabaseProductName" -> product;
                    case "getDatabaseProductVersion" -> "19c";
                    case "getURL" -> "jdbc:oracle:thin:@db:1521/x";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        Connection connection = (Connection) Proxy.newProxyInstance(JdbcSchemaTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getMetaData" -> meta;
                    case "getAutoCommit" -> true;
                    case "close" -> {
                        closed.incrementAndGet();
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new DataSource() {
            @Override
            public Connection getConnection() {
                return connection;
            }

            @Override
            public Connection getConnection(String user, String password) {
                return connection;
            }

            @Override
            public PrintWriter getLogWriter() {
                return null;
            }

            @Override
            public void setLogWriter(PrintWriter out) {
            }

            @Override
            public void setLoginTimeout(int seconds) {
            }

            @Override
            public int getLoginTimeout() {
                return 0;
            }

            @Override
            public Logger getParentLogger() {
                return Logger.getGlobal();
            }

            @Override
            public <T> T unwrap(Class<T> type) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean isWrapperFor(Class<?> type) {
                return false;
            }
        };
    }

    @Test
    void migrate_unsupportedDatabase_failsNamingTheProductAndClosesTheConnection() {
        AtomicInteger closed = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> JdbcSchema.migrate(claiming("Oracle", closed)));
        assertTrue(e.getMessage().contains("Oracle"), e.getMessage());
        assertTrue(e.getMessage().contains("PostgreSQL, MariaDB/MySQL and H2"), e.getMessage());
        assertTrue(closed.get() == 1, "connection returned");
    }

    @Test
    void repository_unsupportedDatabase_failsNamingTheProduct() {
        AtomicInteger closed = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> JdbcOrderRepository.create(claiming("Oracle", closed)));
        assertTrue(e.getMessage().contains("Oracle"), e.getMessage());
        assertTrue(closed.get() == 1, "connection returned");
    }
}
