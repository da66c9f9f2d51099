package org.ordertracking.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetentionConfigTest {

    @Test
    void defaults_purgeOrdersFinishedADayAgo_500ABatch_everyMinute() {
        RetentionConfig defaults = RetentionConfig.defaults();
        assertTrue(defaults.enabled());
        assertEquals(Duration.ofHours(24), defaults.maxAge());
        assertEquals(500, defaults.batchSize());
        assertEquals(Duration.ofMinutes(1), defaults.interval());
        assertEquals(defaults, RetentionConfig.builder().build());
    }

    @Test
    void disabled_purgesNothing() {
        assertFalse(RetentionConfig.disabled().enabled());
        assertEquals(RetentionConfig.disabled(), RetentionConfig.builder().enabled(false).build());
        assertEquals("RetentionConfig[disabled]", RetentionConfig.disabled().toString());
    }

    @Test
    void builder_keepsEveryValue() {
        RetentionConfig config = RetentionConfig.builder().maxAge(Duration.ofDays(90)).batchSize(50)
                .interval(Duration.ofMinutes(10)).build();
        assertEquals(Duration.ofDays(90), config.maxAge());
        assertEquals(50, config.batchSize());
        assertEquals(Duration.ofMinutes(10), config.interval());
        assertEquals("RetentionConfig[maxAge=PT2160H, batchSize=50, interval=PT10M]", config.toString());
    }

    @Test
    void builder_badValues_areRejectedShowingTheValue() {
        assertEquals("maxAge must be positive, but was PT0S", assertThrows(IllegalArgumentException.class,
                () -> RetentionConfig.builder().maxAge(Duration.ZERO)).getMessage());
        assertEquals("maxAge must be positive, but was PT-1H", assertThrows(IllegalArgumentException.class,
                () -> RetentionConfig.builder().maxAge(Duration.ofHours(-1))).getMessage());
        assertEquals("batchSize must be positive, but was 0", assertThrows(IllegalArgumentException.class,
                () -> RetentionConfig.builder().batchSize(0)).getMessage());
        assertEquals("interval must be positive, but was PT-1S", assertThrows(IllegalArgumentException.class,
                () -> RetentionConfig.builder().interval(Duration.ofSeconds(-1))).getMessage());
        assertThrows(NullPointerException.class, () -> RetentionConfig.builder().maxAge(null));
    }

    @Test
    void purgeResult_busyPurgesNothing_andCountsAreNotNegative() {
        assertEquals(new PurgeResult(0, true), PurgeResult.busyElsewhere());
        assertEquals(new PurgeResult(3, false), PurgeResult.purged(3));
        assertThrows(IllegalArgumentException.class, () -> new PurgeResult(-1, false));
        assertThrows(IllegalArgumentException.class, () -> new PurgeResult(2, true));
    }

    @Test
    void repositoryDefault_isOff_unlessTheRepositorySaysOtherwise() {
        assertEquals(RetentionConfig.disabled(), new OrderRepository() {
            // the one method a default-keeping repository would not override is the one under test
            @Override
            public TransitionResult create(NewOrder order, java.time.Instant at, String actor) {
                throw new UnsupportedOperationException();
            }

            @Override
            public TransitionResult transition(TransitionRequest request, OrderStateMachine machine) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void restaurantSeen(String restaurantId, java.time.Instant at) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.List<RestaurantPresence> restaurantPresence() {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean claimRestaurantOffline(String restaurantId, java.time.Instant notSeenSince,
                    java.time.Instant at) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean claimRestaurantOnline(String restaurantId, java.time.Instant at) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean claimStuck(String orderId, OrderStatus status, java.time.Instant at) {
                throw new UnsupportedOperationException();
            }

            @Override
            public OutboxBacklog outboxBacklog() {
                throw new UnsupportedOperationException();
            }

            @Override
            public DriverChange changeDriver(String orderId, String driverId, java.time.Instant at) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.Optional<TrackedOrder> find(String orderId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.List<OrderEvent> events(String orderId, long afterSeq) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.List<TrackedOrder> activeOrdersOfRestaurant(String restaurantId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.List<TrackedOrder> activeOrdersOfCustomer(String customerId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.List<TrackedOrder> activeOrdersOfDriver(String driverId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.List<TrackedOrder> findByStatus(OrderStatus status, java.time.Instant changedBefore,
                    int limit) {
                throw new UnsupportedOperationException();
            }

            @Override
            public int relayUnpublished(java.time.Instant committedBefore, int max,
                    java.util.function.Consumer<OrderEvent> publisher) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void markPublished(java.util.Collection<EventRef> events) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean claimNotification(String orderId, NotificationMoment moment, java.time.Instant at) {
                throw new UnsupportedOperationException();
            }

            @Override
            public PurgeResult purgeTerminal(java.time.Instant finishedBefore, int max) {
                throw new UnsupportedOperationException();
            }
        }.defaultRetention());
        assertEquals(RetentionConfig.defaults(), OrderRepository.inMemory().defaultRetention());
    }
}
