package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class LocationConfigTest {

    private static String message(Executable executable) {
        return assertThrows(IllegalArgumentException.class, executable).getMessage();
    }

    @Test
    void defaults_matchTheDesign() {
        LocationConfig config = LocationConfig.defaults();
        assertEquals(Duration.ofMinutes(2), config.maxFutureSkew());
        assertEquals(Duration.ofMinutes(30), config.maxFixAge());
        assertEquals(200, config.maxSpeedKmh());
        assertEquals(20, config.throttleMeters());
        assertEquals(Duration.ofSeconds(5), config.driverOrdersTtl());
    }

    @Test
    void builder_values_areKept() {
        LocationConfig config = LocationConfig.builder().maxFutureSkew(Duration.ZERO).maxFixAge(Duration.ofHours(1))
                .maxSpeedKmh(120).throttleMeters(0).driverOrdersTtl(Duration.ofSeconds(1)).build();
        assertEquals(Duration.ZERO, config.maxFutureSkew());
        assertEquals(Duration.ofHours(1), config.maxFixAge());
        assertEquals(120, config.maxSpeedKmh());
        assertEquals(0, config.throttleMeters());
        assertEquals(Duration.ofSeconds(1), config.driverOrdersTtl());
    }

    @Test
    void builder_badValues_areRejectedWithAMessageShowingThem() {
        LocationConfig.Builder b = LocationConfig.builder();
        assertEquals("maxFutureSkew must not be negative, but was PT-1S", message(() -> b.maxFutureSkew(Duration.ofSeconds(-1))));
        assertEquals("maxFixAge must be positive, but was PT0S", message(() -> b.maxFixAge(Duration.ZERO)));
        assertEquals("maxSpeedKmh must be a finite positive number, but was -5.0", message(() -> b.maxSpeedKmh(-5)));
        assertEquals("maxSpeedKmh must be a finite positive number, but was Infinity",
                message(() -> b.maxSpeedKmh(Double.POSITIVE_INFINITY)));
        assertEquals("throttleMeters must be a finite number >= 0, but was NaN", message(() -> b.throttleMeters(Double.NaN)));
        assertEquals("driverOrdersTtl must be positive, but was PT-5S",
                message(() -> b.driverOrdersTtl(Duration.ofSeconds(-5))));
    }

    @Test
    void inMemoryStore_retentionShorterThanTtl_isRejectedNamingBoth() {
        assertEquals("lastSeenRetention must be at least the ttl PT30S, but was PT10S",
                message(() -> LocationStore.inMemory(java.time.InstantSource.system(), Duration.ofSeconds(30),
                        Duration.ofSeconds(10))));
    }

    @Test
    void ingestResult_remap_mapsIndicesBackAndMergesParseFailures() {
        IngestResult result = new IngestResult(1,
                java.util.List.of(new IngestResult.Rejected(1, FixRejection.GPS_JUMP, "jump")), null);
        IngestResult whole = result.remap(new int[] {0, 2},
                java.util.List.of(new IngestResult.Rejected(1, FixRejection.MALFORMED, "not an object")));
        assertEquals(java.util.List.of(new IngestResult.Rejected(1, FixRejection.MALFORMED, "not an object"),
                new IngestResult.Rejected(2, FixRejection.GPS_JUMP, "jump")), whole.rejected());
    }
}
