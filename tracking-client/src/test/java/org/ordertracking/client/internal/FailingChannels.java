package org.ordertracking.client.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ChannelFactory} whose channels behave like a disk that fills up: once {@code budget} bytes
 * were written through it (over all files), writes throw {@code IOException("No space left on
 * device")} after writing as much of the buffer as still fits (a short, partial write, as a real full
 * disk does). {@link #refill} frees space again.
 */
final class FailingChannels implements ChannelFactory {
    private final AtomicLong budget;

    FailingChannels(long budget) {
        this.budget = new AtomicLong(budget);
    }

    void refill(long bytes) {
        budget.set(bytes);
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        return new Limited(FileChannel.open(path, options));
    }

    private final class Limited extends FileChannel {
        private final FileChannel d;

        Limited(FileChannel delegate) {
            this.d = delegate;
        }

        private int allow(ByteBuffer src) throws IOException {
            long left = budget.get();
            if (left <= 0) {
                throw new IOException("No space left on device");
            }
            return (int) Math.min(left, src.remaining());
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            int n = allow(src);
            boolean partial = n < src.remaining();
            ByteBuffer slice = src.duplicate();
            slice.limit(slice.position() + n);
            int written = d.write(slice, position);
            src.position(src.position() + written);
            budget.addAndGet(-written);
            if (partial) {
                throw new IOException("No space left on device");
            }
            return written;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int written = write(src, d.position());
            d.position(d.position() + written);
            return written;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                n += write(srcs[i]);
            }
            return n;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return d.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return d.read(dsts, offset, length);
        }

        @Override
        public long position() throws IOException {
            return d.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            d.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            d.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            d.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return d.read(dst, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return d.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return d.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return d.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            d.close();
        }
    }
}
