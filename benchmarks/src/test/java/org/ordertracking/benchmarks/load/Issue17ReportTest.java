package org.ordertracking.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The targets table, from result files shaped as the harness writes them. */
class Issue17ReportTest {
    @TempDir
    Path dir;

    private void write(String name, String json) throws IOException {
        Files.writeString(dir.resolve(name), json);
    }

    private String row(String table, String target) {
        return Arrays.stream(table.split("\n")).filter(l -> l.startsWith("| " + target)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + target + " in\n" + table));
    }

    @Test
    void table_fromTheIssuesOwnFigures_showsRatiosAndVerdicts() throws IOException {
        write("load-ours-r1000.json", "{\"options\":{\"rate\":\"1000\"},\"status_published_per_s\":1000,"
                + "\"events_delivered_per_s\":10000,\"server_cpu_percent\":78,\"latency_ms\":{\"p99\":1.74}}");
        write("load-nchan-r1000.json", "{\"options\":{\"rate\":\"1000\"},\"status_published_per_s\":1000,"
                + "\"events_delivered_per_s\":10000,\"server_cpu_percent\":28,\"latency_ms\":{\"p99\":1.54}}");
        write("load-ours-r5000.json", "{\"options\":{\"rate\":\"5000\"},\"status_published_per_s\":4000,"
                + "\"events_delivered_per_s\":40000,\"server_cpu_percent\":161,\"latency_ms\":{\"p99\":3200}}");
        write("load-nchan-r5000.json", "{\"options\":{\"rate\":\"5000\"},\"status_published_per_s\":5000,"
                + "\"events_delivered_per_s\":50000,\"server_cpu_percent\":78,\"latency_ms\":{\"p99\":5.9}}");
        write("sat-ours-r1000.json", "{\"status_published_per_s\":1000,\"latency_ms\":{\"p99\":2}}");
        write("sat-ours-r3500.json", "{\"status_published_per_s\":3500,\"latency_ms\":{\"p99\":40}}");
        write("sat-ours-r5000.json", "{\"status_published_per_s\":4000,\"latency_ms\":{\"p99\":3200}}");
        write("sat-nchan-r1000.json", "{\"status_published_per_s\":1000,\"latency_ms\":{\"p99\":1}}");
        write("sat-nchan-r3500.json", "{\"status_published_per_s\":3500,\"latency_ms\":{\"p99\":3}}");
        write("sat-nchan-r5000.json", "{\"status_published_per_s\":5000,\"latency_ms\":{\"p99\":6}}");
        write("idle-ours.json", "{\"rss_bytes_per_stream\":47104,\"heap_bytes_per_stream\":7000}");
        write("idle-nchan.json", "{\"rss_bytes_per_stream\":10957}");
        write("mix-ours.json", "{\"latency_ms\":{\"p99\":12.5},\"location_latency_ms\":{\"p99\":25},\"status_gaps\":0,"
                + "\"location_frames_conflated\":0,\"fixes_applied_in_window\":4000,\"fixes_not_published_in_window\":2}");
        write("nodes2-ours.json", "{\"two_nodes\":{\"cross_node_latency_ms\":{\"p99\":6},\"same_node_latency_ms\":"
                + "{\"p99\":2},\"cross_node_gaps\":0}}");

        String table = new Issue17Report(dir).table();

        assertTrue(row(table, "5,000/s × 10,000 streams: all published").contains("80.0 %")
                && row(table, "5,000/s × 10,000 streams: all published").contains("missed by 16 %"), table);
        assertTrue(row(table, "1,000/s × 10,000 streams: server CPU").contains("2.79×"), table);
        assertTrue(row(table, "1,000/s × 10,000 streams: server CPU").contains("missed by 86 %"), table);
        assertTrue(row(table, "Saturation point").contains("3,500/s | 5,000/s | 0.70× | missed by 30 %"), table);
        assertTrue(row(table, "RSS per open stream").contains("46.00 KB | 10.70 KB"), table);
        assertTrue(row(table, "Heap per open stream").endsWith("| met |"), table);
        assertTrue(row(table, "Realistic mix: p99 fix").contains("25.00 ms") && row(table, "Realistic mix: p99 fix")
                .contains("missed by 25 %"), table);
        assertTrue(row(table, "Realistic mix: p99 status").endsWith("| met |"), table);
        assertTrue(row(table, "Realistic mix: fixes not published").contains("2 of 4,000"), table);
        assertTrue(row(table, "Two nodes over Redis: p99").contains("3.00× | missed by 50 %"), table);
        assertTrue(row(table, "Two nodes over Redis: gaps").endsWith("| met |"), table);
    }

    @Test
    void table_atOtherSizes_takesTheLoadRatesAndStreamsFromItsFiles() throws IOException {
        write("load-ours-r50.json", "{\"options\":{\"rate\":\"50\",\"streams\":\"200\"},\"server_cpu_percent\":35,"
                + "\"latency_ms\":{\"p99\":30}}");
        write("load-nchan-r50.json", "{\"options\":{\"rate\":\"50\"},\"server_cpu_percent\":4,\"latency_ms\":{\"p99\":30}}");
        write("load-ours-r100.json", "{\"options\":{\"rate\":\"100\",\"streams\":\"200\"},\"status_published_per_s\":100,"
                + "\"latency_ms\":{\"p99\":27}}");
        write("load-nchan-r100.json", "{\"options\":{\"rate\":\"100\"},\"latency_ms\":{\"p99\":34}}");

        String table = new Issue17Report(dir).table();

        assertTrue(row(table, "100/s × 200 streams: all published").contains("100.0 %"), table);
        assertTrue(row(table, "100/s: p99 ≤ 2× nchan's").contains("0.79× | met"), table);
        assertTrue(row(table, "50/s × 200 streams: server CPU").contains("8.75× | missed by 483 %"), table);
        assertTrue(row(table, "50/s: p99 ≤ nchan's").contains("1.00× | met"), table);
    }

    @Test
    void table_withoutResults_saysNotMeasured() throws IOException {
        String table = new Issue17Report(dir).table();
        assertTrue(row(table, "Saturation point").endsWith("| not measured |"), table);
        assertTrue(row(table, "Realistic mix: p99 status").contains("| — |"), table);
    }
}
