package org.ordertracking.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/spring-boot.md names every {@code tracking.*} property of the generated metadata, with its
 * default, and the metadata describes every one (what IDEs show on completion).
 */
class PropertiesDocumentationTest {

    @Test
    void everyProperty_isDescribed_andDocumentedWithItsDefault() throws Exception {
        JsonNode metadata = new ObjectMapper().readTree(
                Path.of("target/classes/META-INF/spring-configuration-metadata.json").toFile());
        String docs = Files.readString(Path.of("../docs/spring-boot.md"));
        int count = 0;
        for (JsonNode property : metadata.get("properties")) {
            String name = property.get("name").asText();
            assertThat(property.path("description").asText()).as(name + " has a description").isNotBlank();
            JsonNode value = property.get("defaultValue");
            String shown = value == null ? "(unset)" : value.asText();
            assertThat(docs).as("docs/spring-boot.md lists " + name + " with default " + shown)
                    .contains("| `" + name + "` | `" + shown + "` |");
            count++;
        }
        assertThat(count).as("properties in the metadata").isGreaterThan(35);
    }

    @Test
    void secret_hasNoDefault() throws Exception {
        JsonNode metadata = new ObjectMapper().readTree(
                Path.of("target/classes/META-INF/spring-configuration-metadata.json").toFile());
        for (JsonNode property : metadata.get("properties")) {
            if (property.get("name").asText().equals("tracking.jwt.secret")) {
                assertThat(property.get("defaultValue")).isNull();
                return;
            }
        }
        throw new AssertionError("tracking.jwt.secret is not in the metadata");
    }
}
