package org.ordertracking.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The compiled classes of every module of the build, main and test, read from each module's
 * {@code target/classes} and {@code target/test-classes}. Modules are found by their directories, so a
 * module added later (tracking-client, the Spring Boot modules) is checked as soon as it is built,
 * without a change here. Which module and which source set a class comes from is known from where it
 * was read.
 */
final class BuildClasses {
    /** This module's own classes are the rules, not subjects of them. */
    private static final String SELF = "tracking-architecture-tests";

    static final Path ROOT = Path.of(System.getProperty("tracking.build.root", "..")).toAbsolutePath().normalize();

    static final JavaClasses ALL = new ClassFileImporter().importPaths(classDirectories());

    private BuildClasses() {
    }

    /** Every {@code <module>/target/classes} and {@code <module>/target/test-classes} under the root. */
    static List<Path> classDirectories() {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            modules.filter(Files::isDirectory)
                    .filter(m -> !m.getFileName().toString().equals(SELF))
                    .sorted()
                    .forEach(m -> {
                        for (String set : new String[] {"classes", "test-classes"}) {
                            Path dir = m.resolve("target").resolve(set);
                            if (Files.isDirectory(dir)) {
                                dirs.add(dir);
                            }
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the modules under " + ROOT, e);
        }
        return dirs;
    }

    /** The module directory a class was read from, e.g. {@code tracking-core}; empty if unknown. */
    static String module(JavaClass c) {
        String path = location(c);
        int target = path.lastIndexOf("/target/");
        if (target < 0) {
            return "";
        }
        int start = path.lastIndexOf('/', target - 1);
        return path.substring(start + 1, target);
    }

    /** Whether a class was compiled from a module's {@code src/test}. */
    static boolean isTestCode(JavaClass c) {
        return location(c).contains("/target/test-classes/");
    }

    private static String location(JavaClass c) {
        return c.getSource().map(s -> s.getUri()).map(URI::toString).orElse("");
    }

    static final DescribedPredicate<JavaClass> MAIN_CODE =
            DescribedPredicate.describe("main code (src/main)", c -> !isTestCode(c));

    static DescribedPredicate<JavaClass> testCodeOf(String module) {
        return DescribedPredicate.describe("test code of " + module,
                c -> isTestCode(c) && module(c).equals(module));
    }
}
