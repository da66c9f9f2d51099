package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProblemTypeTest {

    @Test
    void everyType_hasAUniqueSlugUnderTheBase_andIsDocumentedWithItsStatus() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "servlet.md"));
        Set<String> slugs = new HashSet<>();
        for (ProblemType type : ProblemType.values()) {
            assertTrue(slugs.add(type.slug()), "slug used twice: " + type.slug());
            assertEquals(ProblemType.BASE + type.slug(), type.uri().toString());
            assertTrue(doc.contains("| `" + type.slug() + "` | " + type.status() + " |"),
                    "docs/servlet.md's Errors table lists `" + type.slug() + "` with status " + type.status());
        }
    }

    @Test
    void containerRefusals_haveTheirOwnTypes() {
        assertEquals(414, ProblemType.URI_TOO_LONG.status());
        assertEquals("https://ordertracking.org/problems/uri-too-long", ProblemType.URI_TOO_LONG.uri().toString());
        assertEquals(431, ProblemType.HEADERS_TOO_LARGE.status());
        assertEquals("https://ordertracking.org/problems/headers-too-large",
                ProblemType.HEADERS_TOO_LARGE.uri().toString());
    }
}
