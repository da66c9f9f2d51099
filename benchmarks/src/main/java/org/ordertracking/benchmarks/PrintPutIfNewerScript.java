package org.ordertracking.benchmarks;

import org.ordertracking.redis.internal.PutIfNewerScript;

/**
 * Prints the Lua script behind {@code RedisLocationStore.putIfNewer}, so that
 * {@code benchmarks/scripts/side-by-side.sh redis} can load it and run {@code redis-benchmark} on
 * the very same server-side work ({@code EVALSHA}, pipelined) as a ceiling for our store.
 */
public final class PrintPutIfNewerScript {
    private PrintPutIfNewerScript() {
    }

    public static void main(String[] args) {
        System.out.print(PutIfNewerScript.SOURCE);
    }
}
