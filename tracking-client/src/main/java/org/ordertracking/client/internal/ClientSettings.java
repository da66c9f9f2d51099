package org.ordertracking.client.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.random.RandomGenerator;
import org.ordertracking.client.DriverClientListener;
import org.ordertracking.client.InstructionListener;
import org.ordertracking.client.SyncPolicy;
import org.ordertracking.client.TokenSupplier;
import org.ordertracking.client.Transport;

/** What {@code DriverClient.Builder} collected, already validated. */
public record ClientSettings(URI baseUri, String driverId, Path journalDirectory, TokenSupplier tokens,
        Transport transport, boolean ownsTransport, SyncPolicy syncPolicy, ChannelFactory channels,
        long segmentBytes, int maxBatchSize, int maxBacklog, Duration maxFixAge, Duration flushInterval,
        Duration requestTimeout, Duration ackTimeout, Duration backoffBase, Duration backoffCap,
        Duration closeTimeout, boolean live, DriverClientListener listener, InstructionListener instructions,
        InstantSource clock, RandomGenerator random, java.util.concurrent.ThreadFactory threadFactory) {
}
