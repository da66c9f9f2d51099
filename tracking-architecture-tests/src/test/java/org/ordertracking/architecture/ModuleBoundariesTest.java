package org.ordertracking.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ordertracking.architecture.BuildClasses.ALL;
import static org.ordertracking.architecture.BuildClasses.MAIN_CODE;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries, checked on the compiled classes of every module (see {@link BuildClasses}).
 * Packages name the modules: {@code org.ordertracking.<name>..} is module {@code <name>}, which also
 * covers modules written later ({@code org.ordertracking.client..}, {@code org.ordertracking.spring..}).
 * The module descriptors enforce the same boundaries for code on the module path; these rules hold them
 * for the class path too, for test code, and for the demo and the benchmarks, which have no descriptor.
 */
class ModuleBoundariesTest {

    /** Modules that plug core into one technology; none may depend on another. */
    private static final List<String> ADAPTERS = List.of("jdbc", "redis", "servlet", "client");

    /** Modules that core exports {@code org.ordertracking.core.internal} to (its module-info). */
    static final Set<String> CORE_INTERNAL_EXPORTED_TO = Set.of("jdbc", "redis", "servlet");

    /**
     * The only uses of an internal class by the demo or the benchmarks, each with its reason. Keys are
     * the using class, values the internal class.
     */
    private static final Map<String, String> PUBLIC_API_EXCEPTIONS = Map.of(
            // a microbenchmark of the throttle's arithmetic itself, which no public API exposes alone
            // (LocationIngestor runs it together with the store and the bus)
            "org.ordertracking.benchmarks.LocationBenchmark", "org.ordertracking.core.internal.PushThrottle",
            // a build tool, not a user: prints the Redis store's Lua script so that side-by-side.sh runs
            // redis-benchmark on exactly the server-side work of RedisLocationStore
            "org.ordertracking.benchmarks.PrintPutIfNewerScript", "org.ordertracking.redis.internal.PutIfNewerScript");

    private static final Pattern INTERNAL = Pattern.compile("org\\.ordertracking\\.([a-z0-9]+)\\.internal(\\..+)?");
    private static final Pattern OWN = Pattern.compile("org\\.ordertracking\\.([a-z0-9]+)(\\..+)?");

    @Test
    void everyModule_isImported_soNoRuleHoldsVacuously() {
        Set<String> modules = ALL.stream().map(BuildClasses::module).collect(Collectors.toSet());
        for (String module : List.of("tracking-core", "tracking-jdbc", "tracking-redis", "tracking-servlet",
                "tracking-test", "examples", "benchmarks")) {
            assertTrue(modules.contains(module), module + " has no compiled classes under " + BuildClasses.ROOT
                    + " (imported: " + modules + ")");
        }
        assertTrue(ALL.stream().anyMatch(BuildClasses::isTestCode), "no test classes were imported");
    }

    @Test
    void core_dependsOnNoAdapterAndNoInfrastructure() {
        ArchRule rule = noClasses().that().resideInAPackage("org.ordertracking.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.ordertracking.jdbc..", "org.ordertracking.redis..", "org.ordertracking.servlet..",
                        "org.ordertracking.client..", "org.ordertracking.spring..", "org.ordertracking.test..",
                        "org.ordertracking.examples..", "org.ordertracking.benchmarks..",
                        "jakarta..", "javax.servlet..", "javax.websocket..", "io.lettuce..", "io.netty..",
                        "org.postgresql..", "org.mariadb..", "com.mysql..", "org.h2..", "com.zaxxer..",
                        "org.springframework..", "io.micrometer..")
                .because("core is the technology-free centre every adapter builds on");
        rule.check(ALL);
    }

    @Test
    void adapters_doNotDependOnEachOther() {
        List<ArchRule> rules = new ArrayList<>();
        for (String adapter : ADAPTERS) {
            List<String> others = new ArrayList<>();
            for (String other : ADAPTERS) {
                if (!other.equals(adapter)) {
                    others.add("org.ordertracking." + other + "..");
                }
            }
            others.add("org.ordertracking.test..");
            rules.add(noClasses().that().resideInAPackage("org.ordertracking." + adapter + "..").and(MAIN_CODE)
                    .should().dependOnClassesThat().resideInAnyPackage(others.toArray(String[]::new))
                    .allowEmptyShould(true) // tracking-client may not be built yet
                    .because("an adapter depends on core only, so a host takes just the adapters it runs"));
        }
        CompositeArchRule.of(rules).check(ALL);
    }

    @Test
    void coreInternals_areUsedOnlyByTheModulesTheyAreExportedTo() {
        ArchRule rule = classes().should(dependOnInternalsOnlyWhere((origin, owner) ->
                        !owner.equals("core") // the next rule
                                || CORE_INTERNAL_EXPORTED_TO.contains(OWN_MODULE.apply(origin))
                                // the tests of core's in-memory implementations, which cannot live in core
                                || BuildClasses.testCodeOf("tracking-test").test(origin)))
                .because("org.ordertracking.core.internal is exported only to " + CORE_INTERNAL_EXPORTED_TO);
        rule.check(ALL);
    }

    @Test
    void adapterInternals_areUsedOnlyInsideTheirModule() {
        ArchRule rule = classes().should(dependOnInternalsOnlyWhere((origin, owner) -> owner.equals("core")))
                .because("a module exports its internal package to nobody but, for core, its adapters");
        rule.check(ALL);
    }

    @Test
    void examplesAndBenchmarks_useOnlyPublicApi() {
        ArchRule rule = classes().that().resideInAnyPackage("org.ordertracking.examples..", "org.ordertracking.benchmarks..")
                .should(dependOnInternalsOnlyWhere((origin, owner) -> false))
                .because("the demo and the benchmarks show what a user can do; exceptions: " + PUBLIC_API_EXCEPTIONS);
        rule.check(ALL);
    }

    /** The module a class belongs to by its package: {@code org.ordertracking.<module>..}. */
    private static final Function<JavaClass, String> OWN_MODULE = c -> {
        Matcher m = OWN.matcher(c.getPackageName());
        return m.matches() ? m.group(1) : "";
    };

    /**
     * Checks each dependency on a class of another module's {@code org.ordertracking.<owner>.internal}
     * package: it passes if it is one of the {@link #PUBLIC_API_EXCEPTIONS} (nested classes count as their
     * top-level class) or {@code allowed(origin, owner)} holds.
     */
    private static ArchCondition<JavaClass> dependOnInternalsOnlyWhere(BiPredicate<JavaClass, String> allowed) {
        return new ArchCondition<>("depend on another module's internals only where allowed") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = dependency.getTargetClass().getBaseComponentType();
                    Matcher m = INTERNAL.matcher(target.getPackageName());
                    if (!m.matches()) {
                        continue;
                    }
                    String owner = m.group(1);
                    if (OWN_MODULE.apply(origin).equals(owner)) {
                        continue;
                    }
                    if (isListedException(origin, target) || allowed.test(origin, owner)) {
                        continue;
                    }
                    events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                }
            }
        };
    }

    private static boolean isListedException(JavaClass origin, JavaClass target) {
        return topLevel(target).equals(PUBLIC_API_EXCEPTIONS.get(topLevel(origin)));
    }

    private static String topLevel(JavaClass c) {
        int nested = c.getName().indexOf('$');
        return nested < 0 ? c.getName() : c.getName().substring(0, nested);
    }
}
