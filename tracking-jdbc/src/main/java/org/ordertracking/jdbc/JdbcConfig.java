package org.ordertracking.jdbc;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Immutable settings of {@link JdbcOrderRepository} and {@link JdbcSchema}. Thread-safe.
 *
 * <pre>{@code
 * JdbcConfig config = JdbcConfig.builder().tablePrefix("shop1_tracking_").build();
 * JdbcSchema.migrate(dataSource, config);
 * OrderRepository orders = JdbcOrderRepository.builder(dataSource).config(config).build();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class JdbcConfig {

    /** Default prefix of every table and index name: {@value}. */
    public static final String DEFAULT_TABLE_PREFIX = "tracking_";

    /** Longest accepted table prefix, so every derived name fits the 63-character limit of PostgreSQL. */
    public static final int MAX_TABLE_PREFIX_LENGTH = 30;

    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]*");

    private static final JdbcConfig DEFAULTS = builder().build();

    private final String tablePrefix;

    private JdbcConfig(Builder builder) {
        this.tablePrefix = builder.tablePrefix;
    }

    /** Returns the default settings (table prefix {@value #DEFAULT_TABLE_PREFIX}). */
    public static JdbcConfig defaults() {
        return DEFAULTS;
    }

    /** Returns a builder that starts from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the prefix of every table and index name, e.g. {@code tracking_} for {@code tracking_orders}. */
    public String tablePrefix() {
        return tablePrefix;
    }

    /** Returns a builder that starts from these settings. */
    public Builder toBuilder() {
        return new Builder().tablePrefix(tablePrefix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JdbcConfig other && tablePrefix.equals(other.tablePrefix);
    }

    @Override
    public int hashCode() {
        return tablePrefix.hashCode();
    }

    @Override
    public String toString() {
        return "JdbcConfig[tablePrefix=" + tablePrefix + "]";
    }

    /**
     * Builds a {@link JdbcConfig}. Not thread-safe. Every value is checked when set, with a message
     * that shows it.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private String tablePrefix = DEFAULT_TABLE_PREFIX;

        private Builder() {
        }

        /**
         * Sets the prefix of every table and index name. It is pasted into SQL unquoted, so it must be
         * a safe identifier part: a lowercase letter, then lowercase letters, digits and underscores, at
         * most {@value #MAX_TABLE_PREFIX_LENGTH} characters. Default {@value #DEFAULT_TABLE_PREFIX}.
         */
        public Builder tablePrefix(String prefix) {
            Objects.requireNonNull(prefix, "tablePrefix must not be null");
            if (prefix.length() > MAX_TABLE_PREFIX_LENGTH || !PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("tablePrefix must be a lowercase letter followed by lowercase "
                        + "letters, digits or '_', at most " + MAX_TABLE_PREFIX_LENGTH + " characters, but was '"
                        + prefix + "'");
            }
            this.tablePrefix = prefix;
            return this;
        }

        public JdbcConfig build() {
            return new JdbcConfig(this);
        }
    }
}
