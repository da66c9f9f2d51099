package org.ordertracking.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What {@link LocationIngestor#ingest} did with a batch of fixes: the reply the driver app gets.
 *
 * @param applied how many fixes were accepted (a valid fix older than the stored one counts: it is
 *     accepted and harmlessly not stored)
 * @param rejected the refused fixes, by index into the list given, in index order
 * @param upTo {@code recordedAt} of the newest accepted fix, or {@code null} if none was accepted:
 *     the app may drop every buffered fix up to it
 * @since 0.1.0
 */
public record IngestResult(int applied, List<Rejected> rejected, Instant upTo) {

    private static final IngestResult EMPTY = new IngestResult(0, List.of(), null);

    /**
     * One refused fix.
     *
     * @param index position in the list given to {@code ingest}
     * @param reason why; its {@link FixRejection#code()} goes on the wire
     * @param message human-readable detail
     */
    public record Rejected(int index, FixRejection reason, String message) {
        public Rejected {
            if (index < 0) {
                throw new IllegalArgumentException("index must not be negative, but was " + index);
            }
            Objects.requireNonNull(reason, "reason must not be null");
            Objects.requireNonNull(message, "message must not be null");
        }
    }

    public IngestResult {
        if (applied < 0) {
            throw new IllegalArgumentException("applied must not be negative, but was " + applied);
        }
        rejected = List.copyOf(rejected);
    }

    /** Returns the result of an empty batch. */
    public static IngestResult empty() {
        return EMPTY;
    }

    /**
     * Maps this result back onto a larger batch of which only some entries could be parsed into
     * fixes: the servlet layer parses a batch, rejects what it cannot parse itself, ingests the rest
     * and reports on the whole.
     *
     * @param originalIndex for each fix given to {@code ingest}, its index in the original batch
     * @param unparsed rejections of entries that never became fixes, indexed in the original batch
     */
    public IngestResult remap(int[] originalIndex, List<Rejected> unparsed) {
        List<Rejected> all = new ArrayList<>(rejected.size() + unparsed.size());
        for (Rejected r : rejected) {
            all.add(new Rejected(originalIndex[r.index()], r.reason(), r.message()));
        }
        all.addAll(unparsed);
        all.sort(Comparator.comparingInt(Rejected::index));
        return new IngestResult(applied, all, upTo);
    }
}
