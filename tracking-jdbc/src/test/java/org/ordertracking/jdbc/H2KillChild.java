package org.ordertracking.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.NewOrder;
import org.ordertracking.core.NotificationMoment;
import org.ordertracking.core.OrderStateMachine;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.TransitionRequest;

/**
 * The process {@link H2FileKillIT} kills: eight threads move orders through their lifecycle on an H2
 * file database through {@link JdbcOrderRepository} as fast as it lets them, while a relay marks
 * events published and notifications are claimed — every kind of write the repository makes, at
 * once. Each write the repository acknowledged is printed as {@code ACK <order> <seq> <status>}
 * after it returned. Runs until killed.
 *
 * <p>Arguments: the JDBC URL, the table prefix, a run id that makes the order ids unique.
 */
final class H2KillChild {
    private static final List<OrderStatus> PATH = List.of(OrderStatus.ACCEPTED, OrderStatus.PREPARING,
            OrderStatus.READY, OrderStatus.PICKED_UP, OrderStatus.DELIVERED);
    private static final int WORKERS = 8;

    private H2KillChild() {
    }

    public static void main(String[] args) throws Exception {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(args[0]);
        hikari.setMaximumPoolSize(WORKERS + 2);
        hikari.setRegisterMbeans(false);
        HikariDataSource pool = new HikariDataSource(hikari); // never closed: the process is killed
        JdbcConfig config = JdbcConfig.builder().tablePrefix(args[1]).build();
        JdbcSchema.migrate(pool, config);
        JdbcOrderRepository repository = JdbcOrderRepository.builder(pool).config(config).build();
        String run = args[2];
        PrintStream out = System.out;
        ExecutorService threads = Executors.newFixedThreadPool(WORKERS);
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            threads.submit(() -> {
                try {
                    work(repository, out, run, worker);
                } catch (RuntimeException | Error e) {
                    e.printStackTrace(out); // the parent shows it: a worker must never stop on its own
                }
            });
        }
        // the relay on a timer, as the tracker runs it; a failure stops it and shows in the parent
        Executors.newSingleThreadScheduledExecutor().scheduleWithFixedDelay(() -> {
            try {
                repository.relayUnpublished(Instant.now(), 50, event -> { });
            } catch (RuntimeException e) {
                e.printStackTrace(out);
                throw e;
            }
        }, 0, 5, TimeUnit.MILLISECONDS);
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
        new CountDownLatch(1).await(); // until the parent kills the process
    }

    private static void work(JdbcOrderRepository repository, PrintStream out, String run, int worker) {
        OrderStateMachine machine = OrderStateMachine.defaults();
        for (int n = 0; ; n++) {
            String id = "k-" + run + "-" + worker + "-" + n;
            repository.create(new NewOrder(id, "r-" + worker, "c-" + n, new GeoPoint(33.89, 35.50)),
                    Instant.now(), "test");
            ack(out, id, 1, OrderStatus.RECEIVED);
            for (OrderStatus status : PATH) {
                var result = repository.transition(
                        TransitionRequest.of(id, status, null, "test", Instant.now()), machine);
                ack(out, id, result.event().seq(), status);
                if (status == OrderStatus.ACCEPTED) {
                    repository.claimNotification(id, NotificationMoment.ACCEPTED, Instant.now());
                }
            }
        }
    }

    private static void ack(PrintStream out, String id, long seq, OrderStatus status) {
        synchronized (out) {
            out.println("ACK " + id + " " + seq + " " + status.wireName());
            out.flush();
        }
    }
}
