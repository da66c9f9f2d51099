import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Build step of tracking-servlet (run by exec-maven-plugin as a single-file Java program, no npm):
 * turns the widget's ES module into its classic-script build. The module's last statement must be
 * one {@code export { a, b, … };} line and it must have no other import or export; the classic file
 * is the same code in a function scope that sets the global {@code OrderTrackingWidget} to those names.
 *
 * <pre>java ClassicWidget.java tracking-widget.js tracking-widget.classic.js</pre>
 */
public final class ClassicWidget {
    private static final Pattern EXPORT = Pattern.compile("^export \\{([\\w\\s,]+)\\};\\s*$");

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: java ClassicWidget.java <module.js> <classic.js>");
        }
        Path module = Path.of(args[0]);
        List<String> body = new ArrayList<>();
        String names = null;
        for (String line : Files.readAllLines(module, StandardCharsets.UTF_8)) {
            Matcher export = EXPORT.matcher(line);
            if (export.matches() && names == null) {
                names = export.group(1).trim().replaceAll("\\s+", " ");
            } else if (line.startsWith("export ") || line.startsWith("import ") || names != null && !line.isBlank()) {
                throw new IllegalStateException(module + ": the module may only end with one 'export { … };' line "
                        + "and have no other import/export, but has: " + line);
            } else {
                body.add(line);
            }
        }
        if (names == null) {
            throw new IllegalStateException(module + " has no final 'export { … };' line");
        }
        StringBuilder out = new StringBuilder()
                .append("// Generated at build time from ").append(module.getFileName())
                .append(" (classic <script> build): do not edit.\n")
                .append("(function (global) {\n'use strict';\n");
        body.forEach(line -> out.append(line).append('\n'));
        out.append("global.OrderTrackingWidget = { ").append(names).append(" };\n")
                .append("})(typeof globalThis !== 'undefined' ? globalThis : this);\n");
        Path target = Path.of(args[1]);
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, out, StandardCharsets.UTF_8);
    }
}
