package org.ordertracking.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.ordertracking.core.EventRef;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.OrderEvent;
import org.ordertracking.core.OrderRepository;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TransitionRequest;
import org.ordertracking.core.internal.InMemoryOrderRepository;

class InMemoryOrderRepositoryTest extends OrderRepositoryContract {
    @Override
    protected OrderRepository createRepository() {
        return OrderRepository.inMemory();
    }

    private InMemoryOrderRepository inMemory() {
        return (InMemoryOrderRepository) repository;
    }

    @Test
    void markPublished_inCommitOrder_leavesNothingInTheOutbox() {
        relayAll(Instant.MAX.minusSeconds(1), new ArrayList<>());
        String id = createOrder();
        walk(id, HAPPY_PATH);
        List<EventRef> refs = repository.events(id, 0).stream().map(EventRef::of).toList();
        assertEquals(HAPPY_PATH.size() + 1, inMemory().outboxSize());

        repository.markPublished(refs);

        assertEquals(0, inMemory().outboxSize());
        assertEquals(0, relayAll(Instant.MAX.minusSeconds(1), new ArrayList<>()));
    }

    @Test
    void markPublished_behindAnUnpublishedEvent_isDroppedOnceTheRelayPublishesIt() {
        relayAll(Instant.MAX.minusSeconds(1), new ArrayList<>());
        String stuck = createOrder();
        String other = createOrder();
        walk(other, List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING));
        repository.markPublished(repository.events(other, 0).stream().map(EventRef::of).toList());
        assertEquals(4, inMemory().outboxSize(), "the published entries wait behind the unpublished head");

        List<OrderEvent> relayed = new ArrayList<>();
        relayAll(Instant.MAX.minusSeconds(1), relayed);

        assertEquals(List.of(stuck + "#1"), relayed.stream().map(e -> e.orderId() + "#" + e.seq()).toList());
        assertEquals(0, inMemory().outboxSize());
    }

    @Test
    void outbox_concurrentTransitionsMarksAndRelay_everyEventPublishedAndNothingLeft() throws Exception {
        relayAll(Instant.MAX.minusSeconds(1), new ArrayList<>());
        int writers = 3;
        int ordersPerWriter = 300;
        ConcurrentHashMap<String, Boolean> published = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int o = 0; o < ordersPerWriter; o++) {
                        String id = "race-" + writer + "-" + o;
                        List<EventRef> marks = new ArrayList<>();
                        OrderEvent first = repository.create(new NewOrder(id, "r-race", "c-race",
                                new org.ordertracking.core.GeoPoint(33.9, 35.5)), T0, null).event();
                        marks.add(EventRef.of(first));
                        for (OrderStatus status : HAPPY_PATH) {
                            OrderEvent event = repository.transition(TransitionRequest.of(id, status, null, null,
                                    T0), MACHINE).event();
                            // every other event is left for the relay, as after a failed publish
                            if (event.seq() % 2 == 0) {
                                marks.add(EventRef.of(event));
                            }
                        }
                        marks.forEach(ref -> published.put(ref.orderId() + "#" + ref.seq(), true));
                        repository.markPublished(marks);
                    }
                    return null;
                }));
            }
            futures.add(pool.submit(() -> {
                start.await();
                while (writing.get()) {
                    repository.relayUnpublished(Instant.MAX.minusSeconds(1), 50,
                            e -> published.put(e.orderId() + "#" + e.seq(), true));
                }
                return null;
            }));
            start.countDown();
            for (int w = 0; w < writers; w++) {
                futures.get(w).get(60, TimeUnit.SECONDS);
            }
            writing.set(false);
            futures.get(writers).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        List<OrderEvent> rest = new ArrayList<>();
        relayAll(Instant.MAX.minusSeconds(1), rest);
        rest.forEach(e -> published.put(e.orderId() + "#" + e.seq(), true));

        assertEquals(writers * ordersPerWriter * (HAPPY_PATH.size() + 1), published.size());
        assertEquals(0, inMemory().outboxSize());
    }
}
