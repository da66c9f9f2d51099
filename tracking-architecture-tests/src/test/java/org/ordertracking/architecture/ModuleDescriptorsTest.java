package org.ordertracking.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The compiled module descriptors of the published modules: each exists under the name users already
 * know from the {@code Automatic-Module-Name}, exports no internal package to everyone, and core's
 * internals go exactly to the adapters {@link ModuleBoundariesTest} allows.
 */
class ModuleDescriptorsTest {
    private static final Map<String, String> PUBLISHED = Map.of(
            "tracking-core", "org.ordertracking.core",
            "tracking-jdbc", "org.ordertracking.jdbc",
            "tracking-redis", "org.ordertracking.redis",
            "tracking-servlet", "org.ordertracking.servlet",
            "tracking-test", "org.ordertracking.testkit");

    @Test
    void everyPublishedModule_hasItsDescriptor_andExportsNoInternalPackageToEveryone() throws IOException {
        for (Map.Entry<String, String> module : PUBLISHED.entrySet()) {
            ModuleDescriptor descriptor = read(module.getKey());
            assertEquals(module.getValue(), descriptor.name(), module.getKey());
            for (ModuleDescriptor.Exports exports : descriptor.exports()) {
                assertFalse(exports.source().contains(".internal") && !exports.isQualified(),
                        descriptor.name() + " exports " + exports.source() + " to everyone");
            }
            assertFalse(descriptor.isOpen(), descriptor.name() + " is an open module");
        }
    }

    @Test
    void coreInternal_isExportedOnlyToTheAdaptersTheRulesAllow() throws IOException {
        ModuleDescriptor core = read("tracking-core");
        Set<String> targets = core.exports().stream()
                .filter(e -> e.source().equals("org.ordertracking.core.internal"))
                .flatMap(e -> e.targets().stream())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> allowed = ModuleBoundariesTest.CORE_INTERNAL_EXPORTED_TO.stream()
                .map(m -> "org.ordertracking." + m)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(allowed, targets);
        assertTrue(core.exports().stream().anyMatch(e -> e.source().equals("org.ordertracking.core") && !e.isQualified()),
                "core does not export its API package");
    }

    private static ModuleDescriptor read(String module) throws IOException {
        Path file = BuildClasses.ROOT.resolve(module).resolve("target/classes/module-info.class");
        assertTrue(Files.isRegularFile(file), "no module descriptor at " + file);
        try (InputStream in = Files.newInputStream(file)) {
            return ModuleDescriptor.read(in);
        }
    }
}
