package org.ordertracking.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints issue 17's targets as a Markdown table (target, ours, nchan, ratio, verdict) from the
 * results directory {@code benchmarks/scripts/issue17.sh} writes; {@code summarize.py --targets}
 * includes it. A figure whose file is missing is shown as "—" and its target as "not measured". The
 * two load rates are those of the {@code load-ours-r<rate>.json} / {@code load-nchan-r<rate>.json}
 * files present, lowest and highest (the issue's 1,000 and 5,000 events/s when there are none), so a
 * run at other sizes still gets its table.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * org.ordertracking.benchmarks.load.Issue17Report benchmarks/results/issue17-…}
 */
public final class Issue17Report {
    /** p99 limit of the saturation search, ms (the issue's definition). */
    static final double SATURATION_P99_MS = 50;
    /** Share of the offered rate that must be published for a step to count (else the publishers fell behind). */
    static final double SATURATION_PUBLISHED_SHARE = 0.95;
    private static final Pattern SATURATION_FILE = Pattern.compile("sat-(ours|nchan)-r(\\d+)\\.json");
    private static final Pattern LOAD_FILE = Pattern.compile("load-(ours|nchan)-r(\\d+)\\.json");

    private final Path dir;
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<String> rows = new ArrayList<>();

    Issue17Report(Path dir) {
        this.dir = dir;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Issue17Report <results directory of issue17.sh>");
            System.exit(2);
        }
        System.out.print(new Issue17Report(Path.of(args[0])).table());
    }

    String table() throws IOException {
        TreeMap<Integer, Boolean> loadRates = new TreeMap<>();
        for (Path file : files("load-*-r*.json")) {
            Matcher m = LOAD_FILE.matcher(file.getFileName().toString());
            if (m.matches()) {
                loadRates.put(Integer.parseInt(m.group(2)), true);
            }
        }
        int low = loadRates.isEmpty() ? 1000 : loadRates.firstKey();
        int high = loadRates.isEmpty() ? 5000 : loadRates.lastKey();
        JsonNode ours1k = read("load-ours-r" + low + ".json");
        JsonNode nchan1k = read("load-nchan-r" + low + ".json");
        JsonNode ours5k = read("load-ours-r" + high + ".json");
        JsonNode nchan5k = read("load-nchan-r" + high + ".json");
        double streams = number(ours5k, "options", "streams");
        String h = String.format(Locale.ROOT, "%,d/s", high);
        String l = String.format(Locale.ROOT, "%,d/s", low);
        String over = String.format(Locale.ROOT, " × %,.0f streams", Double.isNaN(streams) ? 10_000 : streams);

        double offered5k = number(ours5k, "options", "rate");
        double published5k = number(ours5k, "status_published_per_s");
        double share = Targets.ratio(published5k, offered5k);
        row(h + over + ": all published", percent(share), percent(Targets.ratio(
                number(nchan5k, "status_published_per_s"), number(nchan5k, "options", "rate"))), "—",
                Targets.atLeast(share, SATURATION_PUBLISHED_SHARE) + " (≥ 95 % of offered)");
        double p99o5 = number(ours5k, "latency_ms", "p99");
        double p99n5 = number(nchan5k, "latency_ms", "p99");
        double r = Targets.ratio(p99o5, p99n5);
        row(h + ": p99 ≤ 2× nchan's", ms(p99o5), ms(p99n5), times(r), Targets.atMost(r, 2));
        double cpuO5 = Targets.cpuMicrosPerEvent(number(ours5k, "server_cpu_percent"), number(ours5k, "events_delivered_per_s"));
        double cpuN5 = Targets.cpuMicrosPerEvent(number(nchan5k, "server_cpu_percent"), number(nchan5k, "events_delivered_per_s"));
        r = Targets.ratio(cpuO5, cpuN5);
        row(h + ": server CPU per delivered event ≤ 1.5× nchan's (stretch ≤ 1.0×)", fixed(cpuO5, " µs"),
                fixed(cpuN5, " µs"), times(r), Targets.atMost(r, 1.5) + "; stretch " + Targets.atMost(r, 1.0));

        double cpuO1 = number(ours1k, "server_cpu_percent");
        double cpuN1 = number(nchan1k, "server_cpu_percent");
        r = Targets.ratio(cpuO1, cpuN1);
        row(l + over + ": server CPU ≤ 1.5× nchan's", fixed(cpuO1, " %"), fixed(cpuN1, " %"), times(r),
                Targets.atMost(r, 1.5));
        double p99o1 = number(ours1k, "latency_ms", "p99");
        double p99n1 = number(nchan1k, "latency_ms", "p99");
        r = Targets.ratio(p99o1, p99n1);
        row(l + ": p99 ≤ nchan's", ms(p99o1), ms(p99n1), times(r), Targets.atMost(r, 1.0));

        int satOurs = saturation("ours");
        int satNchan = saturation("nchan");
        r = satOurs < 0 || satNchan <= 0 ? Double.NaN : Targets.ratio(satOurs, satNchan);
        row("Saturation point (highest rate with p99 ≤ 50 ms): ours ÷ nchan ≥ 1.0", rate(satOurs), rate(satNchan),
                times(r), Targets.atLeast(r, 1.0));

        JsonNode idleOurs = read("idle-ours.json");
        JsonNode idleNchan = read("idle-nchan.json");
        double rssO = number(idleOurs, "rss_bytes_per_stream") / 1024;
        double rssN = number(idleNchan, "rss_bytes_per_stream") / 1024;
        double idle = number(idleOurs, "options", "streams");
        row(String.format(Locale.ROOT, "RSS per open stream ≤ 20 KB (%,.0f idle streams)", Double.isNaN(idle) ? 19_000 : idle), fixed(rssO, " KB"), fixed(rssN, " KB"),
                times(Targets.ratio(rssO, rssN)), Targets.atMost(rssO, 20));
        double heapO = number(idleOurs, "heap_bytes_per_stream") / 1024;
        row("Heap per open stream ≤ 8 KB", fixed(heapO, " KB"), "—", "—", Targets.atMost(heapO, 8));

        JsonNode mix = read("mix-ours.json");
        double loc = number(mix, "location_latency_ms", "p99");
        row("Realistic mix: p99 fix received → customer location event ≤ 20 ms", ms(loc), "—", "—", Targets.atMost(loc, 20));
        double status = number(mix, "latency_ms", "p99");
        row("Realistic mix: p99 status → customer ≤ 20 ms", ms(status), "—", "—", Targets.atMost(status, 20));
        double gaps = number(mix, "status_gaps");
        row("Realistic mix: status events dropped (seq gaps) = 0", count(gaps), "—", "—", Targets.atMost(gaps, 0));
        double conflated = number(mix, "location_frames_conflated");
        row("Realistic mix: location frames conflated (readers keep up) = 0", count(conflated), "—", "—",
                Targets.atMost(conflated, 0));
        row("Realistic mix: fixes not published (20 m throttle or inside a status pair)",
                count(number(mix, "fixes_not_published_in_window")) + " of " + count(number(mix, "fixes_applied_in_window")),
                "—", "—", "information");

        JsonNode two = read("nodes2-ours.json");
        double cross = number(two, "two_nodes", "cross_node_latency_ms", "p99");
        double same = number(two, "two_nodes", "same_node_latency_ms", "p99");
        r = Targets.ratio(cross, same);
        row("Two nodes over Redis: p99 cross-node ≤ 2× same-node p99 (same run)", ms(cross) + " (same node " + ms(same) + ")",
                "—", times(r), Targets.atMost(r, 2));
        double crossGaps = number(two, "two_nodes", "cross_node_gaps");
        row("Two nodes over Redis: gaps = 0", count(crossGaps), "—", "—", Targets.atMost(crossGaps, 0));

        StringBuilder out = new StringBuilder("| target | ours | nchan | ratio | verdict |\n| --- | ---: | ---: | ---: | --- |\n");
        rows.forEach(row -> out.append(row).append('\n'));
        return out.toString();
    }

    /** The saturation point of one server from its {@code sat-<server>-r<rate>.json} files; -1 if there is none. */
    private int saturation(String which) throws IOException {
        NavigableMap<Integer, Targets.Step> steps = new TreeMap<>();
        for (Path file : files("sat-" + which + "-r*.json")) {
            Matcher m = SATURATION_FILE.matcher(file.getFileName().toString());
            if (m.matches()) {
                JsonNode run = mapper.readTree(file.toFile());
                int offered = Integer.parseInt(m.group(2));
                steps.put(offered, new Targets.Step(offered, number(run, "latency_ms", "p99"),
                        number(run, "status_published_per_s")));
            }
        }
        return steps.isEmpty() ? -1 : Targets.saturationPoint(steps, SATURATION_P99_MS, SATURATION_PUBLISHED_SHARE);
    }

    private List<Path> files(String glob) throws IOException {
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
                files.forEach(found::add);
            }
        }
        return found;
    }

    private JsonNode read(String name) throws IOException {
        Path file = dir.resolve(name);
        return Files.exists(file) ? mapper.readTree(file.toFile()) : null;
    }

    /** The number at {@code path} in {@code node}, NaN if the node or the field is missing. */
    static double number(JsonNode node, String... path) {
        JsonNode at = node;
        for (String key : path) {
            if (at == null) {
                return Double.NaN;
            }
            at = at.get(key);
        }
        if (at == null || at.isNull()) {
            return Double.NaN;
        }
        if (at.isNumber()) {
            return at.doubleValue();
        }
        try {
            return Double.parseDouble(at.asText()); // harness options are strings
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private void row(String target, String ours, String nchan, String ratio, String verdict) {
        rows.add("| " + target + " | " + ours + " | " + nchan + " | " + ratio + " | " + verdict + " |");
    }

    private static String ms(double v) {
        return fixed(v, " ms");
    }

    private static String fixed(double v, String unit) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, v >= 100 ? "%,.0f%s" : "%.2f%s", v, unit);
    }

    private static String times(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.2f×", v);
    }

    private static String percent(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.1f %%", v * 100);
    }

    private static String count(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String rate(int v) {
        return v < 0 ? "—" : String.format(Locale.ROOT, "%,d/s", v);
    }
}
