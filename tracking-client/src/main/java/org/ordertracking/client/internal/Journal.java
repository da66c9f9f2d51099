package org.ordertracking.client.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.ordertracking.client.Fix;
import org.ordertracking.client.JournalException;
import org.ordertracking.client.SyncPolicy;

/**
 * The durable journal of recorded fixes: a write-ahead log on local disk.
 *
 * <p><b>Files.</b> Append-only segments {@code seg-<first seq, 20 digits>.log}: a 16-byte header
 * (magic {@code OTJ1}, version, first sequence number), then records
 * {@code [int length][int crc32c][long seq][fix]}, the CRC32C covering seq and fix. A small
 * {@code checkpoint} file holds the highest sequence number that is settled (acknowledged by the
 * server, rejected, or compacted away), with its own CRC; it is replaced atomically (write a temporary
 * file, fsync it, rename over, fsync the directory). A {@code lock} file, locked while the journal is
 * open, keeps a second client off the directory.
 *
 * <p><b>Writes.</b> A new segment is preallocated with zeros to its full size (so appends overwrite
 * allocated blocks and cached pages, and a full disk shows when a segment is created). {@link #append}
 * encodes into a reused buffer and writes it with one positional
 * {@code write} into the file (the kernel's page cache) before it returns, so a killed process loses
 * nothing. With {@link SyncPolicy#EVERY_RECORD} it also {@code fdatasync}s; otherwise
 * {@link #syncIfDirty()} is called by a background thread every group-commit interval. A failed write
 * throws {@link JournalException}; what it may have left in the file is cut off (or, if even that
 * fails, the next append starts a new segment and recovery skips the partial record by its CRC).
 *
 * <p><b>Recovery</b> ({@link #open}) reads every segment: a record whose length is implausible, whose
 * CRC does not match or whose sequence does not increase is bad. After a bad record the scan looks for
 * the next good one byte by byte: if there is one, the bad bytes were corruption in the middle and are
 * skipped (and reported); if there is none, they are a torn tail (the device died during a write) and
 * are cut off (reported unless they are all zero bytes of a file the kernel had extended). Nothing in
 * a journal can make {@link #open} fail except an I/O error of the directory itself.
 *
 * <p>The records not yet settled are also kept in memory (oldest first), for the sender. Thread-safe:
 * {@link #append} may be called from any thread; the other methods from the client's threads.
 */
public final class Journal implements AutoCloseable {
    static final int MAGIC = 0x4F544A31; // "OTJ1"
    static final int VERSION = 1;
    static final int SEGMENT_HEADER = 16;
    static final int RECORD_HEADER = 8; // length + crc
    static final int MIN_BODY = 8 + 1 + 16 + 12;
    static final int MAX_BODY = MIN_BODY + 24;
    static final String CHECKPOINT = "checkpoint";
    static final String LOCK = "lock";
    private static final int CHECKPOINT_MAGIC = 0x4F54434B; // "OTCK"

    /** One journaled fix and its sequence number. */
    public record Entry(long seq, Fix fix) {
    }

    private final Path dir;
    private final SyncPolicy policy;
    private final ChannelFactory channels;
    private final long segmentBytes;
    private final int maxEntries;
    private final Object lock = new Object();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(RECORD_HEADER + MAX_BODY);
    private final CRC32C crc = new CRC32C();
    private final ArrayDeque<Entry> pending = new ArrayDeque<>();
    /** first seq of each segment file → its last seq (the active one's grows). */
    private final TreeMap<Long, long[]> segments = new TreeMap<>();
    private final List<String> recoveryProblems;

    private FileChannel lockChannel;
    private java.nio.channels.FileLock lockHeld;
    private volatile FileChannel active;
    private long activeFirstSeq;
    private long position;
    private boolean rollNext;
    private long nextSeq;
    private long settledThrough;
    private long checkpointed;
    private long compactedByCap;
    private volatile boolean dirty;
    private boolean closed;

    private Journal(Path dir, SyncPolicy policy, ChannelFactory channels, long segmentBytes, int maxEntries,
            List<String> problems) {
        this.dir = dir;
        this.policy = policy;
        this.channels = channels;
        this.segmentBytes = segmentBytes;
        this.maxEntries = maxEntries;
        this.recoveryProblems = problems;
    }

    /**
     * Opens (creating if needed) the journal in a directory and recovers what it holds.
     *
     * @param maxEntries the cap of unsettled entries; past it the oldest are dropped
     * @throws JournalException if the directory cannot be created, listed or written
     */
    public static Journal open(Path dir, SyncPolicy policy, ChannelFactory channels, long segmentBytes,
            int maxEntries) {
        List<String> problems = new ArrayList<>();
        Journal journal = new Journal(dir, policy, channels, segmentBytes, maxEntries, problems);
        try {
            Files.createDirectories(dir);
            journal.lock();
            journal.recover();
        } catch (IOException e) {
            journal.unlock();
            throw new JournalException("could not open the journal in " + dir + ": " + e.getMessage(), e);
        }
        return journal;
    }

    /**
     * Takes the directory's lock file: two writers would interleave their records and sequence
     * numbers. The operating system releases it when the process dies, whatever the way.
     */
    private void lock() throws IOException {
        lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lockHeld = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lockHeld = null;
        }
        if (lockHeld == null) {
            throw new IOException("the journal is in use by another client (" + dir.resolve(LOCK) + " is locked)");
        }
    }

    private void unlock() {
        try {
            if (lockHeld != null) {
                lockHeld.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            // released with the channel or the process anyway
        }
        lockHeld = null;
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        long checkpoint = readCheckpoint();
        settledThrough = checkpoint;
        checkpointed = checkpoint;
        long lastSeq = 0;
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "seg-*.log")) {
            stream.forEach(files::add);
        }
        Collections.sort(files);
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            boolean last = i == files.size() - 1;
            lastSeq = Math.max(lastSeq, recoverSegment(file, last, lastSeq));
        }
        Files.deleteIfExists(dir.resolve(CHECKPOINT + ".tmp"));
        nextSeq = Math.max(lastSeq, checkpoint) + 1;
        while (pending.size() > maxEntries) {
            settledThrough = pending.pollFirst().seq();
            compactedByCap++;
        }
        rollNext = true;
    }

    /**
     * Reads one segment, adds its unsettled entries; returns the highest good seq (or {@code floor}).
     * {@code floor} is the highest seq of the segments before: sequence numbers only grow, so a record
     * at or below it is not a record (stale bytes, or garbage whose CRC happens to match).
     */
    private long recoverSegment(Path file, boolean last, long floor) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        String name = file.getFileName().toString();
        if (bytes.length < SEGMENT_HEADER || in.getInt(0) != MAGIC || in.getInt(4) != VERSION) {
            if (!allZero(bytes, 0, bytes.length)) {
                recoveryProblems.add(name + ": no valid segment header (" + bytes.length + " bytes); file skipped");
            }
            if (bytes.length < SEGMENT_HEADER || allZero(bytes, 0, bytes.length)) {
                Files.delete(file); // a segment created but never written: nothing to keep
            } else {
                Files.move(file, file.resolveSibling(name + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
            }
            return floor;
        }
        long lastGood = floor;
        int pos = SEGMENT_HEADER;
        int goodEnd = pos;
        int count = 0;
        while (pos < bytes.length) {
            Entry entry = decodeAt(in, pos, lastGood);
            if (entry != null) {
                addRecovered(entry);
                lastGood = entry.seq();
                pos += RECORD_HEADER + in.getInt(pos);
                goodEnd = pos;
                count++;
                continue;
            }
            int next = findNextRecord(in, pos + 1, lastGood);
            if (next < 0) {
                if (!allZero(bytes, pos, bytes.length)) {
                    recoveryProblems.add(name + ": torn tail of " + (bytes.length - pos) + " bytes at offset " + pos
                            + " dropped");
                }
                break;
            }
            recoveryProblems.add(name + ": " + (next - pos) + " unreadable bytes at offset " + pos + " skipped");
            pos = next;
        }
        if (last && goodEnd < bytes.length) {
            try (FileChannel ch = channels.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(goodEnd);
                ch.force(true);
            }
        }
        long first = in.getLong(8);
        if (count == 0 && lastGood <= settledThrough) {
            Files.delete(file);
        } else {
            segments.put(first, new long[] {lastGood});
            if (lastGood <= settledThrough) {
                Files.delete(file);
                segments.remove(first);
            }
        }
        return lastGood;
    }

    private void addRecovered(Entry entry) {
        if (entry.seq() > settledThrough) {
            pending.addLast(entry);
        }
    }

    private int findNextRecord(ByteBuffer in, int from, long after) {
        for (int p = from; p + RECORD_HEADER + MIN_BODY <= in.limit(); p++) {
            if (decodeAt(in, p, after) != null) {
                return p;
            }
        }
        return -1;
    }

    /** Decodes the record at {@code pos}, or null if it is not a whole, valid record with seq > {@code after}. */
    private Entry decodeAt(ByteBuffer in, int pos, long after) {
        if (pos + RECORD_HEADER > in.limit()) {
            return null;
        }
        int length = in.getInt(pos);
        if (length < MIN_BODY || length > MAX_BODY || pos + RECORD_HEADER + length > in.limit()) {
            return null;
        }
        int expected = in.getInt(pos + 4);
        CRC32C c = new CRC32C();
        ByteBuffer body = in.duplicate();
        body.limit(pos + RECORD_HEADER + length).position(pos + RECORD_HEADER);
        c.update(body);
        if ((int) c.getValue() != expected) {
            return null;
        }
        body.position(pos + RECORD_HEADER);
        long seq = body.getLong();
        if (seq <= after) {
            return null;
        }
        try {
            Fix fix = FixCodec.decode(body);
            return body.position() == pos + RECORD_HEADER + length ? new Entry(seq, fix) : null;
        } catch (RuntimeException e) {
            return null; // a CRC collision on garbage, or a value out of range: not a record
        }
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private long readCheckpoint() {
        Path file = dir.resolve(CHECKPOINT);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            recoveryProblems.add(CHECKPOINT + ": unreadable (" + e.getMessage() + "); unacknowledged fixes are resent");
            return 0;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length == 16 && in.getInt(0) == CHECKPOINT_MAGIC) {
            CRC32C c = new CRC32C();
            c.update(bytes, 4, 8);
            if ((int) c.getValue() == in.getInt(12)) {
                return in.getLong(4);
            }
        }
        recoveryProblems.add(CHECKPOINT + ": corrupt; unacknowledged fixes are resent (the server ignores repeats)");
        return 0;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Appends a fix: written into the file before this returns (and synced if the policy says so).
     *
     * @return the fix's sequence number
     * @throws JournalException if it could not be written; the fix is then not in the journal
     * @throws IllegalStateException if the journal is closed
     */
    public long append(Fix fix) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the journal in " + dir + " is closed");
            }
            long seq = nextSeq;
            try {
                if (rollNext || position + RECORD_HEADER + MAX_BODY > segmentBytes) {
                    roll(seq);
                }
                ByteBuffer b = buffer;
                b.clear();
                b.position(RECORD_HEADER);
                b.putLong(seq);
                FixCodec.encode(fix, b);
                int length = b.position() - RECORD_HEADER;
                b.putInt(0, length);
                b.flip().position(RECORD_HEADER);
                crc.reset();
                crc.update(b);
                b.putInt(4, (int) crc.getValue());
                b.position(0);
                long at = position;
                FileChannel ch = active;
                while (b.hasRemaining()) {
                    at += ch.write(b, at);
                }
                if (policy.syncsEveryRecord()) {
                    ch.force(false);
                }
                position = at;
            } catch (IOException e) {
                failWrite();
                throw new JournalException("could not write a fix to the journal in " + dir + ": " + e.getMessage(), e);
            }
            nextSeq = seq + 1;
            segments.get(activeFirstSeq)[0] = seq;
            dirty = true;
            pending.addLast(new Entry(seq, fix));
            if (pending.size() > maxEntries) {
                settledThrough = pending.pollFirst().seq();
                compactedByCap++;
            }
            return seq;
        }
    }

    /** After a failed write: cut off what it may have left, else start a new segment next time. */
    private void failWrite() {
        try {
            active.truncate(position);
        } catch (IOException | RuntimeException e) {
            rollNext = true;
        }
    }

    private void roll(long firstSeq) throws IOException {
        FileChannel old = active;
        Path file = dir.resolve(String.format("seg-%020d.log", firstSeq));
        FileChannel ch = channels.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        try {
            ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER);
            header.putInt(MAGIC).putInt(VERSION).putLong(firstSeq).flip();
            ch.truncate(0);
            long at = 0;
            while (header.hasRemaining()) {
                at += ch.write(header, at);
            }
            // preallocate the segment with zeros: appends then overwrite blocks and pages that exist
            // (no allocation on the hot path), and a full disk shows here, not in the middle of a record
            ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            while (at < segmentBytes) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), segmentBytes - at));
                while (zeros.hasRemaining()) {
                    at += ch.write(zeros, at);
                }
            }
            ch.force(true);
            syncDirectory();
        } catch (IOException e) {
            closeQuietly(ch);
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // recovery drops a header-only or empty segment anyway
            }
            throw e;
        }
        if (old != null) {
            try {
                old.force(false);
            } finally {
                closeQuietly(old);
            }
        }
        active = ch;
        activeFirstSeq = firstSeq;
        segments.put(firstSeq, new long[] {firstSeq - 1});
        position = SEGMENT_HEADER;
        rollNext = false;
    }

    /** Group commit: syncs the active segment if anything was written since the last sync. */
    public void syncIfDirty() throws IOException {
        if (!dirty) {
            return;
        }
        dirty = false;
        FileChannel ch = active;
        if (ch != null && ch.isOpen()) {
            try {
                ch.force(false);
            } catch (java.nio.channels.ClosedChannelException e) {
                // rolled or closed meanwhile: both force the channel before closing it
            } catch (IOException e) {
                dirty = true;
                throw e;
            }
        }
    }

    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some platforms cannot open a directory; the rename is still atomic there
        }
    }

    // ---------------------------------------------------------------- reading and settling

    /** Up to {@code max} unsettled entries, oldest first. */
    public List<Entry> peek(int max) {
        synchronized (lock) {
            List<Entry> out = new ArrayList<>(Math.min(max, pending.size()));
            Iterator<Entry> it = pending.iterator();
            while (it.hasNext() && out.size() < max) {
                out.add(it.next());
            }
            return out;
        }
    }

    /** Entries recorded and not settled. */
    public int backlog() {
        synchronized (lock) {
            return pending.size();
        }
    }

    /** Marks every entry up to {@code seq} settled (acknowledged, rejected or compacted). */
    public void settleThrough(long seq) {
        synchronized (lock) {
            while (!pending.isEmpty() && pending.peekFirst().seq() <= seq) {
                pending.pollFirst();
            }
            settledThrough = Math.max(settledThrough, seq);
        }
    }

    /**
     * Drops unsettled entries from the head whose fix was recorded before {@code cutoff}.
     *
     * @return how many were dropped
     */
    public int compactOlderThan(Instant cutoff) {
        synchronized (lock) {
            int n = 0;
            while (!pending.isEmpty() && pending.peekFirst().fix().recordedAt().isBefore(cutoff)) {
                settledThrough = Math.max(settledThrough, pending.pollFirst().seq());
                n++;
            }
            return n;
        }
    }

    /** How many entries the count cap dropped since the last call. */
    public long takeCompactedByCap() {
        synchronized (lock) {
            long n = compactedByCap;
            compactedByCap = 0;
            return n;
        }
    }

    /** What recovery found and skipped, one line each. */
    public List<String> recoveryProblems() {
        return List.copyOf(recoveryProblems);
    }

    /**
     * Writes the checkpoint if the settled point moved, and deletes segments that hold only settled
     * entries. Called by the client's sender thread.
     */
    public void checkpoint() throws IOException {
        long through;
        List<Path> obsolete = new ArrayList<>();
        synchronized (lock) {
            through = settledThrough;
            if (through == checkpointed) {
                return;
            }
        }
        Path tmp = dir.resolve(CHECKPOINT + ".tmp");
        ByteBuffer out = ByteBuffer.allocate(16);
        out.putInt(CHECKPOINT_MAGIC).putLong(through);
        CRC32C c = new CRC32C();
        c.update(out.array(), 4, 8);
        out.putInt((int) c.getValue()).flip();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(CHECKPOINT), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(CHECKPOINT), StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory();
        synchronized (lock) {
            checkpointed = Math.max(checkpointed, through);
            Iterator<java.util.Map.Entry<Long, long[]>> it = segments.entrySet().iterator();
            while (it.hasNext()) {
                java.util.Map.Entry<Long, long[]> e = it.next();
                if (e.getKey() != activeFirstSeq && e.getValue()[0] <= through) {
                    obsolete.add(dir.resolve(String.format("seg-%020d.log", e.getKey())));
                    it.remove();
                }
            }
        }
        for (Path p : obsolete) {
            Files.deleteIfExists(p);
        }
    }

    /** The directory. */
    public Path directory() {
        return dir;
    }

    /** Syncs and closes the active segment; later appends throw. Idempotent. */
    @Override
    public void close() {
        FileChannel ch;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            ch = active;
            active = null;
        }
        if (ch != null) {
            try {
                ch.force(false);
            } catch (IOException e) {
                // nothing more can be done; the bytes are in the page cache
            } finally {
                closeQuietly(ch);
            }
        }
        unlock();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing after a failure
        }
    }
}
