package org.ordertracking.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ordertracking.client.Fix;
import org.ordertracking.client.JournalException;
import org.ordertracking.client.SyncPolicy;

class JournalTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path dir;

    static Fix fix(int i) {
        return new Fix(33.89 + i * 1e-5, 35.50, i % 2 == 0 ? 5.0 : null, i % 3 == 0 ? 90.0 : null, null,
                T0.plusSeconds(i));
    }

    Journal open() {
        return open(ChannelFactory.DEFAULT);
    }

    Journal open(ChannelFactory channels) {
        return Journal.open(dir, SyncPolicy.DEFAULT, channels, 1 << 20, 100_000);
    }

    static List<Fix> fixes(Journal j) {
        List<Fix> out = new ArrayList<>();
        j.peek(Integer.MAX_VALUE).forEach(e -> out.add(e.fix()));
        return out;
    }

    static List<Fix> range(int from, int to) {
        List<Fix> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(fix(i));
        }
        return out;
    }

    Path onlySegment() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> segs = s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
            return segs.get(segs.size() - 1);
        }
    }

    /** Where the last record of a segment ends (the preallocated zeros follow). */
    static int dataEnd(byte[] bytes) {
        int pos = Journal.SEGMENT_HEADER;
        while (pos + 4 <= bytes.length) {
            int length = java.nio.ByteBuffer.wrap(bytes).getInt(pos);
            if (length == 0) {
                break;
            }
            pos += Journal.RECORD_HEADER + length;
        }
        return pos;
    }

    void write(int n) {
        try (Journal j = open()) {
            for (int i = 0; i < n; i++) {
                j.append(fix(i));
            }
        }
    }

    @Test
    void append_thenReopen_returnsEveryFixInOrder() {
        write(50);
        try (Journal j = open()) {
            assertEquals(range(0, 50), fixes(j));
            assertTrue(j.recoveryProblems().isEmpty(), j.recoveryProblems()::toString);
            long seq = j.append(fix(50));
            assertEquals(51, seq, "sequence numbers continue after a restart");
        }
    }

    @Test
    void recovery_truncatedTail_dropsOnlyTheTornRecord() throws IOException {
        write(10);
        Path seg = onlySegment();
        long size = dataEnd(Files.readAllBytes(seg));
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(size - 7); // the device died in the middle of the last write
        }
        try (Journal j = open()) {
            assertEquals(range(0, 9), fixes(j));
            assertEquals(1, j.recoveryProblems().size(), j.recoveryProblems()::toString);
            assertTrue(j.recoveryProblems().get(0).contains("torn tail"));
            j.append(fix(9));
        }
        try (Journal j = open()) {
            assertEquals(range(0, 10), fixes(j), "the journal is whole again after the torn tail was cut");
            assertTrue(j.recoveryProblems().isEmpty(), j.recoveryProblems()::toString);
        }
    }

    @Test
    void recovery_everyCutPosition_keepsExactlyTheWholeRecordsBeforeIt() throws IOException {
        write(6);
        Path seg = onlySegment();
        byte[] whole = Files.readAllBytes(seg);
        whole = java.util.Arrays.copyOf(whole, dataEnd(whole) + 40); // the records and a little of the zero tail
        // record boundaries: the header, then each record's length field says where the next begins
        List<Integer> ends = new ArrayList<>();
        int pos = Journal.SEGMENT_HEADER;
        while (pos < dataEnd(whole)) {
            pos += Journal.RECORD_HEADER + java.nio.ByteBuffer.wrap(whole).getInt(pos);
            ends.add(pos);
        }
        for (int cut = 0; cut <= whole.length; cut++) {
            Files.write(seg, java.util.Arrays.copyOf(whole, cut));
            Files.deleteIfExists(dir.resolve(Journal.CHECKPOINT));
            int complete = 0;
            while (complete < ends.size() && ends.get(complete) <= cut) {
                complete++;
            }
            try (Journal j = open()) {
                assertEquals(range(0, complete), fixes(j), "cut at byte " + cut);
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".log") && !p.equals(seg)).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
        }
    }

    @Test
    void recovery_flippedByteInTheMiddle_skipsOnlyThatRecordAndReportsIt() throws IOException {
        write(10);
        Path seg = onlySegment();
        byte[] bytes = Files.readAllBytes(seg);
        int recordSize = (bytes.length - Journal.SEGMENT_HEADER) / 10; // fixes 0..9 alternate sizes: find the 4th
        int pos = Journal.SEGMENT_HEADER;
        for (int i = 0; i < 4; i++) {
            pos += Journal.RECORD_HEADER + java.nio.ByteBuffer.wrap(bytes).getInt(pos);
        }
        bytes[pos + 20] ^= 0x10; // inside the body of fix 4
        Files.write(seg, bytes);
        try (Journal j = open()) {
            List<Fix> expected = range(0, 10);
            expected.remove(4);
            assertEquals(expected, fixes(j));
            assertEquals(1, j.recoveryProblems().size(), j.recoveryProblems()::toString);
            assertTrue(j.recoveryProblems().get(0).contains("skipped"), j.recoveryProblems()::toString);
            assertTrue(recordSize > 0);
        }
    }

    @Test
    void recovery_flippedLengthField_doesNotPoisonTheRecordsAfterIt() throws IOException {
        write(8);
        Path seg = onlySegment();
        byte[] bytes = Files.readAllBytes(seg);
        bytes[Journal.SEGMENT_HEADER + 2] ^= 0x7F; // the length of fix 0 becomes absurd
        Files.write(seg, bytes);
        try (Journal j = open()) {
            assertEquals(range(1, 8), fixes(j));
        }
    }

    @Test
    void recovery_zeroFilledTail_isDroppedSilently() throws IOException {
        write(5);
        Path seg = onlySegment();
        Files.write(seg, new byte[4096], java.nio.file.StandardOpenOption.APPEND); // extended, never written
        try (Journal j = open()) {
            assertEquals(range(0, 5), fixes(j));
            assertTrue(j.recoveryProblems().isEmpty(), "zeros past the end are not corruption: " + j.recoveryProblems());
        }
        assertTrue(Files.size(seg) < 4096, "the zero tail was cut off");
    }

    @Test
    void recovery_emptySegmentFile_isDroppedAndTheOthersRead() throws IOException {
        write(3);
        Files.createFile(dir.resolve(String.format("seg-%020d.log", 999L))); // created, then the power went
        try (Journal j = open()) {
            assertEquals(range(0, 3), fixes(j));
            assertEquals(4, j.append(fix(3)));
        }
        assertFalse(Files.exists(dir.resolve(String.format("seg-%020d.log", 999L))));
    }

    @Test
    void recovery_emptyDirectoryAndEmptyCheckpoint_startEmpty() throws IOException {
        Files.createFile(dir.resolve(Journal.CHECKPOINT));
        try (Journal j = open()) {
            assertEquals(0, j.backlog());
            assertEquals(1, j.append(fix(0)));
        }
    }

    @Test
    void recovery_corruptSegmentHeader_inAnOlderSegment_isSetAsideNotFatal() throws IOException {
        try (Journal j = Journal.open(dir, SyncPolicy.DEFAULT, ChannelFactory.DEFAULT, 4096, 100_000)) {
            for (int i = 0; i < 200; i++) {
                j.append(fix(i));
            }
        }
        List<Path> segs;
        try (Stream<Path> s = Files.list(dir)) {
            segs = s.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        assertTrue(segs.size() > 2, "segments rolled: " + segs);
        byte[] first = Files.readAllBytes(segs.get(0));
        first[0] ^= 1;
        Files.write(segs.get(0), first);
        try (Journal j = Journal.open(dir, SyncPolicy.DEFAULT, ChannelFactory.DEFAULT, 4096, 100_000)) {
            List<Fix> got = fixes(j);
            assertEquals(fix(199), got.get(got.size() - 1));
            assertTrue(got.size() < 200 && got.size() > 100, "only the first segment's fixes are missing: " + got.size());
            assertEquals(1, j.recoveryProblems().size(), j.recoveryProblems()::toString);
        }
    }

    @Test
    void settle_checkpointAndReopen_keepsOnlyTheUnsettledAndDeletesOldSegments() throws IOException {
        try (Journal j = Journal.open(dir, SyncPolicy.DEFAULT, ChannelFactory.DEFAULT, 4096, 100_000)) {
            for (int i = 0; i < 300; i++) {
                j.append(fix(i));
            }
            j.settleThrough(250);
            j.checkpoint();
            assertEquals(50, j.backlog());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.filter(p -> p.getFileName().toString().endsWith(".log")).count() <= 2,
                    "segments holding only settled fixes are deleted");
        }
        try (Journal j = Journal.open(dir, SyncPolicy.DEFAULT, ChannelFactory.DEFAULT, 4096, 100_000)) {
            assertEquals(range(250, 300), fixes(j));
            assertEquals(List.of(), j.recoveryProblems(), "settled records are valid records, not corruption");
        }
    }

    @Test
    void settledRecordsInTheActiveSegment_areReadAsValid_andSequenceContinuesAfterTheCheckpoint() {
        try (Journal j = open()) {
            for (int i = 0; i < 10; i++) {
                j.append(fix(i));
            }
            j.settleThrough(4);
            try {
                j.checkpoint();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        try (Journal j = open()) {
            assertEquals(range(4, 10), fixes(j), "seq 1..4 (fixes 0..3) are settled");
            assertEquals(List.of(), j.recoveryProblems());
            assertEquals(11, j.append(fix(10)));
        }
    }

    @Test
    void corruptCheckpoint_resendsEverythingRatherThanLosingIt() throws IOException {
        try (Journal j = open()) {
            for (int i = 0; i < 5; i++) {
                j.append(fix(i));
            }
            j.settleThrough(3);
            j.checkpoint();
        }
        byte[] cp = Files.readAllBytes(dir.resolve(Journal.CHECKPOINT));
        cp[6] ^= 1;
        Files.write(dir.resolve(Journal.CHECKPOINT), cp);
        try (Journal j = open()) {
            assertEquals(range(0, 5), fixes(j));
            assertEquals(1, j.recoveryProblems().size());
        }
    }

    @Test
    void fullDisk_writeErrorSurfaces_andEveryFixRecordedBeforeSurvives() throws IOException {
        // room for the first 4 KiB segment (preallocated) and about 30 records; this fake counts overwrites
        // too, so the disk fills in the middle of a record: a short write, then the error
        FailingChannels disk = new FailingChannels(4096 + 2000);
        int recorded = 0;
        JournalException failure = null;
        try (Journal j = Journal.open(dir, SyncPolicy.DEFAULT, disk, 4096, 100_000)) {
            for (int i = 0; i < 200; i++) {
                try {
                    j.append(fix(i));
                    recorded++;
                } catch (JournalException e) {
                    failure = e;
                    break;
                }
            }
            assertTrue(failure != null, "the full disk surfaced");
            assertTrue(failure.getCause().getMessage().contains("No space left"), failure::getMessage);
            assertEquals(range(0, recorded), fixes(j), "the failed fix is not in the journal");
            assertThrows(JournalException.class, () -> j.append(fix(99)), "still full");
            disk.refill(1 << 20);
            j.append(fix(recorded)); // space again: recording goes on
        }
        try (Journal j = open()) {
            assertEquals(range(0, recorded + 1), fixes(j), "nothing recorded before was lost, nothing partial kept");
            assertTrue(recorded >= 5);
        }
    }

    @Test
    void fullDisk_whenANewSegmentCannotBeAllocated_recordFails_andNothingRecordedIsLost() throws IOException {
        FailingChannels disk = new FailingChannels(4096 + 4096 / 2); // the second segment does not fit
        int recorded = 0;
        try (Journal j = Journal.open(dir, SyncPolicy.DEFAULT, disk, 4096, 100_000)) {
            for (int i = 0; i < 200; i++) {
                try {
                    j.append(fix(i));
                    recorded++;
                } catch (JournalException e) {
                    break;
                }
            }
            assertTrue(recorded > 30 && recorded < 200, "failed when the first segment was full: " + recorded);
        }
        try (Journal j = open()) {
            assertEquals(range(0, recorded), fixes(j));
            assertEquals(List.of(), j.recoveryProblems(), "the half-allocated segment was removed");
        }
    }

    @Test
    void cap_dropsTheOldestFirst_andCountsThem() {
        try (Journal j = Journal.open(dir, SyncPolicy.DEFAULT, ChannelFactory.DEFAULT, 1 << 20, 10)) {
            for (int i = 0; i < 25; i++) {
                j.append(fix(i));
            }
            assertEquals(range(15, 25), fixes(j));
            assertEquals(15, j.takeCompactedByCap());
            assertEquals(0, j.takeCompactedByCap());
        }
    }

    @Test
    void compactOlderThan_dropsOldHeadFixes() {
        try (Journal j = open()) {
            for (int i = 0; i < 10; i++) {
                j.append(fix(i));
            }
            assertEquals(4, j.compactOlderThan(T0.plusSeconds(4)));
            assertEquals(range(4, 10), fixes(j));
        }
    }

    @Test
    void everyRecordPolicy_roundTrips() {
        try (Journal j = Journal.open(dir, SyncPolicy.EVERY_RECORD, ChannelFactory.DEFAULT, 1 << 20, 100)) {
            j.append(fix(0));
        }
        try (Journal j = open()) {
            assertEquals(range(0, 1), fixes(j));
        }
    }

    @Test
    void secondJournalOnTheSameDirectory_isRefusedUntilTheFirstCloses() {
        try (Journal first = open()) {
            first.append(fix(0));
            JournalException e = assertThrows(JournalException.class, this::open);
            assertTrue(e.getMessage().contains("in use by another client"), e::getMessage);
        }
        try (Journal again = open()) {
            assertEquals(range(0, 1), fixes(again));
        }
    }

    @Test
    void close_twice_isHarmless_andAppendAfterCloseIsRefused() {
        Journal j = open();
        j.append(fix(0));
        j.close();
        j.close();
        assertThrows(IllegalStateException.class, () -> j.append(fix(1)));
    }
}
