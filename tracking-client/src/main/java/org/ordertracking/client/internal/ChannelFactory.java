package org.ordertracking.client.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the journal's segment files. The seam through which tests make writes fail like a full disk.
 */
@FunctionalInterface
public interface ChannelFactory {
    /** The real file system. */
    ChannelFactory DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
}
