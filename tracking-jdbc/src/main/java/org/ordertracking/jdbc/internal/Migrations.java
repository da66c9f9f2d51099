package org.ordertracking.jdbc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The versioned schema scripts on the classpath and how to turn one into statements for a prefix. */
public final class Migrations {

    /** The table prefix the scripts are written with. */
    public static final String SCRIPT_PREFIX = "tracking_";

    private static final Pattern PREFIXED_NAME = Pattern.compile("\\b" + SCRIPT_PREFIX);

    /** One script: {@code V<version>__<description>.sql}. */
    public record Migration(int version, String description) {
        public String fileName() {
            return "V" + version + "__" + description + ".sql";
        }
    }

    /**
     * Every migration, in version order. Add new ones at the end, never edit a released one. Versions
     * increase but need not be consecutive; {@code JdbcSchema} applies whichever are missing.
     */
    public static final List<Migration> ALL = List.of(
            new Migration(1, "tracking_schema"),
            new Migration(2, "driver_active_orders"),
            new Migration(3, "power_schedule"),
            new Migration(4, "operations_watch"),
            new Migration(5, "retention_locks"));

    private Migrations() {
    }

    /** Reads a migration of a dialect and returns its statements, with every prefixed name renamed. */
    public static List<String> statements(Dialect dialect, Migration migration, String prefix) {
        String path = dialect.migrationLocation() + "/" + migration.fileName();
        String script;
        try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("migration " + path + " is missing from the classpath");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read migration " + path, e);
        }
        return split(PREFIXED_NAME.matcher(script).replaceAll(Matcher.quoteReplacement(prefix)));
    }

    /**
     * Splits a script at semicolons that end a line, after dropping {@code --} comment lines. The
     * scripts use neither procedures nor semicolons inside literals.
     */
    static List<String> split(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\\R")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String statement = current.toString().strip();
                statements.add(statement.substring(0, statement.length() - 1).strip());
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }
}
