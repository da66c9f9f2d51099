package org.ordertracking.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.PushNotifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard ({@code ops/grafana}) and the Prometheus alert rules ({@code ops/prometheus})
 * reference only meters that exist, under the names Prometheus sees: every {@code tracking_*} series
 * they query must be one that the real binders — those a Spring Boot application with the starter binds,
 * on PostgreSQL, with the servlet and a push notifier, so that every conditional meter is there — put in
 * a registry, translated as Micrometer's Prometheus registry does (dots to {@code _}, the base unit
 * appended, {@code _total} on counters, {@code _seconds_count|_sum|_max|_bucket} on timers). Every label
 * a query filters or groups on must be a tag of that meter ({@code job} and {@code instance} are
 * Prometheus's own), and a label compared with {@code =} must have that value.
 *
 * <p>The expected names come from the binders, never from a list here, so a dashboard that references a
 * meter nobody registers fails. The application has a power schedule, so that the at-risk gauge (which
 * only a tracker with a schedule has) is registered too.
 */
class OpsDashboardIT {
    static final String POSTGRES = System.getProperty("tracking.test.postgres",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    private static final Path DASHBOARD = Path.of("../ops/grafana/order-tracking-dashboard.json");
    private static final Path ALERTS = Path.of("../ops/prometheus/order-tracking-alerts.yml");

    /** Labels Prometheus adds when it scrapes; no meter carries them. */
    private static final Set<String> SCRAPE_LABELS = Set.of("job", "instance");

    private static final Pattern SERIES = Pattern.compile(
            "(?<![A-Za-z0-9_:])(tracking_[A-Za-z0-9_:]*)(\\s*\\{([^}]*)})?");
    private static final Pattern MATCHER = Pattern.compile(
            "([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");

    private final String prefix = "ops" + UUID.randomUUID().toString().replace("-", "").substring(0, 10)
            .toLowerCase(Locale.ROOT) + "_";

    @AfterEach
    void dropTables() throws Exception {
        try (Connection connection = DriverManager.getConnection(POSTGRES);
                Statement statement = connection.createStatement()) {
            for (String table : List.of("notifications", "order_events", "orders", "power_windows", "power_restaurants",
                    "power_announcements", "power_areas", "power_plan", "restaurant_presence", "stuck_orders", "locks",
                    "schema_version")) {
                statement.execute("DROP TABLE IF EXISTS " + prefix + table + " CASCADE");
            }
        }
    }

    @Test
    void dashboardAndAlerts_referenceOnlyMetersTheBindersRegister() throws Exception {
        Map<String, Set<Tag>> exported = exportedSeries();
        assertThat(exported).as("the binders' series").containsKeys("tracking_connections_open",
                "tracking_outbox_backlog", "tracking_outbox_relay_lag_seconds", "tracking_push_failures_total",
                "tracking_retention_purged_total", "tracking_leaks");

        List<String> dashboard = dashboardExpressions();
        List<String> alerts = alertExpressions();
        assertThat(dashboard).hasSizeGreaterThan(20);
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(10);

        Set<String> referenced = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (String expression : concat(dashboard, alerts)) {
            referenced.addAll(check(expression, exported, problems));
        }
        assertThat(problems).as("references to series or labels that do not exist").isEmpty();

        // what the issue asks the operator's view to show is there
        assertThat(referenced).contains("tracking_connections_open", "tracking_leaks", "tracking_leaks_closed_total",
                "tracking_outbox_backlog", "tracking_outbox_relay_lag_seconds", "tracking_orders_stuck_open",
                "tracking_orders_stuck_total", "tracking_restaurants_offline", "tracking_orders_at_risk",
                "tracking_deliveries_signal", "tracking_push_failures_total", "tracking_retention_purged_total",
                "tracking_drain_active", "tracking_streams_drained_total");
    }

    @Test
    void check_findsAMisspelledSeriesAndAnUnknownLabel() {
        Map<String, Set<Tag>> exported = Map.of("tracking_connections_open",
                Set.of(Tag.of("kind", "customer_stream")));

        assertThat(problemsOf("sum by (kind) (tracking_connection_open{job=~\"$job\"})", exported).get(0))
                .contains("no meter is exported as tracking_connection_open");
        assertThat(problemsOf("sum by (node) (tracking_connections_open)", exported))
                .singleElement().asString().contains("grouping label 'node'");
        assertThat(problemsOf("tracking_connections_open{kind=\"taxi_stream\"}", exported))
                .singleElement().asString().contains("never has kind=\"taxi_stream\"");
        assertThat(problemsOf("tracking_connections_open{colour=~\"red\"}", exported))
                .singleElement().asString().contains("has no label 'colour'");
        assertThat(problemsOf("sum by (kind, instance) (tracking_connections_open{kind=\"customer_stream\", "
                + "instance=~\".*\", job=~\"$job\"})", exported)).isEmpty();
        assertThat(prometheusNamesOf(new SimpleMeterRegistry())).containsExactly("tracking_c_total",
                "tracking_g", "tracking_lag_seconds", "tracking_t_seconds_count", "tracking_t_seconds_sum",
                "tracking_t_seconds_max", "tracking_t_seconds_bucket");
    }

    private static List<String> problemsOf(String expression, Map<String, Set<Tag>> exported) {
        List<String> problems = new ArrayList<>();
        check(expression, exported, problems);
        return problems;
    }

    /** The translation on one meter of each kind. */
    private static List<String> prometheusNamesOf(MeterRegistry registry) {
        registry.counter("tracking.c");
        registry.gauge("tracking.g", 1);
        io.micrometer.core.instrument.TimeGauge.builder("tracking.lag", () -> 5, java.util.concurrent.TimeUnit.MILLISECONDS)
                .register(registry);
        registry.timer("tracking.t");
        List<String> names = new ArrayList<>();
        for (String name : List.of("tracking.c", "tracking.g", "tracking.lag", "tracking.t")) {
            names.addAll(prometheusNames(registry.get(name).meter()));
        }
        return names;
    }

    @Test
    void alertRules_areWellFormed() throws Exception {
        for (Map<String, Object> rule : alertRules()) {
            assertThat(rule).as(rule.toString()).containsKeys("alert", "expr", "labels", "annotations");
            assertThat(rule.get("alert").toString()).matches("Tracking[A-Za-z]+");
            @SuppressWarnings("unchecked")
            Map<String, Object> labels = (Map<String, Object>) rule.get("labels");
            assertThat(labels.get("severity")).as(rule.get("alert") + " severity").isIn("info", "warning", "critical");
            @SuppressWarnings("unchecked")
            Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
            assertThat(annotations).containsKeys("summary", "description");
        }
    }

    @Test
    void dashboard_panelsQueryTheChosenDataSourceAndHaveUniqueIds() throws Exception {
        JsonNode root = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(root.path("uid").asText()).isEqualTo("order-tracking-sdk");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : root.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("panel id " + panel.get("id")).isTrue();
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            assertThat(panel.path("targets").size()).as(panel.path("title").asText()).isPositive();
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.path("expr").asText()).as(panel.path("title").asText())
                        .contains("job=~\"$job\"", "instance=~\"$instance\"");
            }
        }
    }

    /**
     * Checks one PromQL expression: every {@code tracking_*} series exists (or is pending), every label it
     * matches on is a tag of the series, every {@code =} value is one the series has, and every grouping
     * label is a tag of a series in the expression. Returns the series referenced.
     */
    static Set<String> check(String expression, Map<String, Set<Tag>> exported, List<String> problems) {
        Set<String> series = new TreeSet<>();
        Set<String> tagKeys = new HashSet<>(SCRAPE_LABELS);
        Matcher m = SERIES.matcher(stripStrings(expression));
        Matcher original = SERIES.matcher(expression);
        while (m.find()) {
            original.find(m.start());
            String name = m.group(1);
            series.add(name);
            Set<Tag> tags = exported.get(name);
            Set<String> keys = new HashSet<>();
            if (tags != null) {
                tags.forEach(t -> keys.add(t.getKey()));
            } else {
                problems.add("no meter is exported as " + name + " (in: " + expression + ")");
                continue;
            }
            tagKeys.addAll(keys);
            if (original.group(3) == null) {
                continue;
            }
            Matcher matcher = MATCHER.matcher(original.group(3));
            while (matcher.find()) {
                String label = matcher.group(1);
                if (SCRAPE_LABELS.contains(label)) {
                    continue;
                }
                if (!keys.contains(label)) {
                    problems.add(name + " has no label '" + label + "' (tags " + keys + "; in: " + expression + ")");
                } else if (matcher.group(2).equals("=") && tags != null
                        && tags.stream().noneMatch(t -> t.getKey().equals(label) && t.getValue().equals(matcher.group(3)))) {
                    problems.add(name + " never has " + label + "=\"" + matcher.group(3) + "\" (tags " + tags
                            + "; in: " + expression + ")");
                }
            }
        }
        Matcher grouping = GROUPING.matcher(stripStrings(expression));
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                String key = label.strip();
                if (!key.isEmpty() && !tagKeys.contains(key)) {
                    problems.add("grouping label '" + key + "' is no tag of " + series + " (in: " + expression + ")");
                }
            }
        }
        return series;
    }

    /** Replaces the content of every string literal with blanks, keeping positions. */
    private static String stripStrings(String expression) {
        StringBuilder out = new StringBuilder(expression);
        boolean inString = false;
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if (c == '"' && (i == 0 || out.charAt(i - 1) != '\\')) {
                inString = !inString;
            } else if (inString) {
                out.setCharAt(i, ' ');
            }
        }
        return out.toString();
    }

    /** Every series the binders register, by Prometheus name, with the tags of all its meters. */
    private Map<String, Set<Tag>> exportedSeries() {
        Map<String, Set<Tag>> series = new TreeMap<>();
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        TrackingJdbcAutoConfiguration.class, TrackingRedisAutoConfiguration.class,
                        TrackingAutoConfiguration.class, TrackingServletAutoConfiguration.class,
                        TrackingMetricsAutoConfiguration.class, TrackingHealthAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + POSTGRES, "tracking.jdbc.table-prefix=" + prefix,
                        "tracking.jdbc.initialize-schema=always", "tracking.power.schedule=classpath:power-test.json",
                        "tracking.jwt.secret=" + TrackingAutoConfigurationTest.SECRET)
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(PushNotifier.class, () -> (order, moment, eta) -> { })
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    Map<String, MeterBinder> binders = context.getBeansOfType(MeterBinder.class);
                    assertThat(binders).as("the tracker's and the servlet's binders").hasSizeGreaterThanOrEqualTo(2);
                    binders.values().forEach(binder -> binder.bindTo(registry));
                    for (Meter meter : registry.getMeters()) {
                        if (!meter.getId().getName().startsWith("tracking.")) {
                            continue;
                        }
                        for (String name : prometheusNames(meter)) {
                            series.computeIfAbsent(name, n -> new HashSet<>()).addAll(meter.getId().getTags());
                        }
                    }
                });
        return series;
    }

    /** The series names Micrometer's Prometheus registry exports for a meter. */
    static List<String> prometheusNames(Meter meter) {
        String name = meter.getId().getName().replace('.', '_').replace('-', '_');
        String unit = meter.getId().getBaseUnit();
        String base = unit == null || name.endsWith("_" + unit) ? name : name + "_" + unit;
        return switch (meter.getId().getType()) {
            case COUNTER -> List.of((base.endsWith("_total") ? base.substring(0, base.length() - 6) : base) + "_total");
            case TIMER, DISTRIBUTION_SUMMARY -> {
                String b = meter.getId().getType() == Meter.Type.TIMER && unit == null ? base + "_seconds" : base;
                yield List.of(b + "_count", b + "_sum", b + "_max", b + "_bucket");
            }
            case LONG_TASK_TIMER -> List.of(base + "_active_count", base + "_duration_sum", base + "_max");
            default -> List.of(base);
        };
    }

    /** Every {@code expr} of the dashboard's panels, and the queries of its template variables. */
    private static List<String> dashboardExpressions() throws Exception {
        JsonNode root = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : root.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.get("expr").asText());
            }
        }
        for (JsonNode variable : root.path("templating").path("list")) {
            if (variable.has("definition")) {
                expressions.add(variable.get("definition").asText());
            }
        }
        // nothing else in the file may name a series that the two places above do not
        Set<String> everywhere = new TreeSet<>();
        Matcher m = SERIES.matcher(Files.readString(DASHBOARD));
        while (m.find()) {
            everywhere.add(m.group(1));
        }
        Set<String> inExpressions = new TreeSet<>();
        for (String e : expressions) {
            Matcher s = SERIES.matcher(e);
            while (s.find()) {
                inExpressions.add(s.group(1));
            }
        }
        assertThat(inExpressions).as("series named outside queries in the dashboard").containsAll(everywhere);
        return expressions;
    }

    private static List<String> alertExpressions() throws Exception {
        List<String> expressions = new ArrayList<>();
        for (Map<String, Object> rule : alertRules()) {
            expressions.add(rule.get("expr").toString());
        }
        return expressions;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> alertRules() throws Exception {
        Map<String, Object> root;
        try (Reader reader = Files.newBufferedReader(ALERTS)) {
            root = new Yaml().load(reader);
        }
        List<Map<String, Object>> rules = new ArrayList<>();
        Map<String, Integer> names = new LinkedHashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) root.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                rules.add(rule);
                names.merge(String.valueOf(rule.get("alert")), 1, Integer::sum);
            }
        }
        names.values().removeIf(count -> count == 1);
        assertThat(names).as("alert names used twice").isEmpty();
        return rules;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
