package org.ordertracking.client.internal;

/** A {@link ChannelFactory} for tests outside this package: the disk is full after {@code budget} bytes. */
public final class FullDisk implements ChannelFactory {
    private final FailingChannels channels;

    public FullDisk(long budget) {
        this.channels = new FailingChannels(budget);
    }

    @Override
    public java.nio.channels.FileChannel open(java.nio.file.Path path, java.nio.file.OpenOption... options)
            throws java.io.IOException {
        return channels.open(path, options);
    }
}
