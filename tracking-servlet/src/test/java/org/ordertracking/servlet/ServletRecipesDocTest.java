package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps every recipe in docs/servlet.md identical to the code a test compiles and runs. A recipe is a
 * {@code ```java} block preceded by {@code <!-- recipe: <file>#<tag> -->}, where the file (relative to the
 * repository root) holds the same code between {@code // tag::<tag>[]} and {@code // end::<tag>[]}.
 */
class ServletRecipesDocTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern MARKER = Pattern.compile("<!-- recipe: (\\S+)#(\\S+) -->\n```java\n(.*?)```",
            Pattern.DOTALL);

    @Test
    void servletDoc_everyRecipe_isTheCodeItsTestRuns() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/servlet.md"));
        Map<String, String> recipes = new LinkedHashMap<>();
        Matcher m = MARKER.matcher(doc);
        while (m.find()) {
            String tag = m.group(2);
            String source = Files.readString(ROOT.resolve(m.group(1)));
            assertEquals(region(source, tag, m.group(1)), m.group(3),
                    "docs/servlet.md's recipe '" + tag + "' differs from " + m.group(1));
            recipes.put(tag, m.group(1));
        }
        assertEquals(Set.of("node-assembly", "node-resources", "jetty-start", "jetty-stop", "tomcat-start", "tomcat-stop",
                "war-initializer"), recipes.keySet(), "the recipes docs/servlet.md must carry, each from its test");
    }

    /** The lines between the tags, without the indentation of the opening tag. */
    private static String region(String source, String tag, String file) {
        String open = "// tag::" + tag + "[]\n";
        int start = source.indexOf(open);
        int end = source.indexOf("// end::" + tag + "[]");
        if (start < 0 || end < start) {
            throw new AssertionError(file + " has no region tagged '" + tag + "'");
        }
        int lineStart = source.lastIndexOf('\n', start) + 1;
        int indent = start - lineStart;
        String body = source.substring(start + open.length(), source.lastIndexOf('\n', end) + 1);
        StringBuilder out = new StringBuilder();
        for (String line : body.split("\n", -1)) {
            out.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }
}
