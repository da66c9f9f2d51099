package org.ordertracking.examples.demo;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.ordertracking.client.ClientState;
import org.ordertracking.client.DriverClient;
import org.ordertracking.client.DriverClientListener;
import org.ordertracking.client.Fix;
import org.ordertracking.client.Instruction;
import org.ordertracking.client.JournalException;
import org.ordertracking.client.TokenSupplier;
import org.ordertracking.client.Transport;
import org.ordertracking.core.GeoPoint;
import org.ordertracking.core.Haversine;
import org.ordertracking.core.LocationFix;
import org.ordertracking.core.LocationStore;
import org.ordertracking.core.OrderStatus;
import org.ordertracking.core.OrderTracker;
import org.ordertracking.core.TrackedOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated restaurant kitchen and fleet of drivers in Beirut, driving the demo through the
 * public HTTP and WebSocket API exactly as a platform and a driver app would.
 *
 * <ul>
 * <li>Orders arrive every 15–30 s at one of three restaurants; the kitchen accepts them after a
 * few seconds (rejecting about one in twelve as {@code kitchen_busy}), starts cooking and marks
 * them ready 20–40 s later.</li>
 * <li>Accepted orders are dispatched to the nearest idle driver, who drives to the restaurant,
 * waits for the food, picks it up and drives to the customer along Beirut streets at 20–40 km/h,
 * reporting a fix every 5–10 s through {@code tracking-client}'s {@link DriverClient} (live over the
 * driver WebSocket), which journals each fix in {@code <data dir>/drivers/<id>}.</li>
 * <li>Each restaurant's kitchen tablet polls its orders every 20 s, as a board does: its heartbeat.
 * The kitchen at Verdun loses power for {@value #DARK_MINUTES} minutes every {@value #DARK_EVERY_MINUTES}
 * minutes (the first time {@value #FIRST_DARK_MINUTES} minutes after the start): no poll, no step of its
 * orders, and a customer orders from it as the power goes, so 3 minutes into the cut the operators' page
 * shows it offline and that customer's page says it may be without power, until the tablet polls again
 * (within 20 s of the power's return); the order is then accepted.</li>
 * <li>Driver {@code d-2} loses signal for 45 s and driver {@code d-3} for 3 minutes on every
 * delivery: their {@link Radio} refuses every connection, so the client's journal buffers the fixes
 * and flushes them as one batch when the signal returns. A demo restarted mid-dead-zone finds the
 * buffered fixes in the journal and sends them.</li>
 * </ul>
 *
 * <p>On start it adopts the active orders it finds in the repository, so a restarted demo carries
 * on with the deliveries that were under way. A demo that has none places three orders at once, so a
 * first visitor finds several stages within seconds: one at Hamra rushed through the kitchen
 * (driver {@code d-1} waits there and is on the road within about five seconds), one cooking at
 * Gemmayzeh, one just received at Verdun; none of them is rejected. All simulation state is confined to one thread.
 */
public final class DemoSimulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoSimulator.class);

    /** The demo's restaurants: id → place on the map. */
    public static final Map<String, String> RESTAURANTS = Map.of(
            "r-hamra", "hamra", "r-gemmayzeh", "gemmayzeh_west", "r-verdun", "verdun_north");

    private static final List<String> ADDRESSES = List.of("manara", "raouche", "ramlet", "ain_mreisseh", "zaitunay",
            "aub_gate", "clemenceau", "spears", "verdun_south", "mar_elias", "downtown", "martyrs", "bechara_south",
            "sodeco", "sassine", "gemmayzeh_east", "mar_mikhael", "hamra_west", "bliss_east");

    private final TrackingClient client;
    private final OrderTracker tracker;
    private final LocationStore locations;
    private final BiFunction<String, String, String> tokens;
    private final BeirutMap map = BeirutMap.get();
    private final Random random = new Random();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread t = new Thread(runnable, "demo-simulator");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Kitchen> kitchen = new LinkedHashMap<>();
    private final List<Driver> drivers = new ArrayList<>();
    private final String operatorToken;
    private final URI base;
    private final Path journals;
    private final Transport network = Transport.jdk();
    private Instant nextOrderAt = Instant.EPOCH;
    private int orderCounter;

    /** The restaurant whose kitchen loses power now and then. */
    static final String DARK_RESTAURANT = "r-verdun";
    static final int DARK_MINUTES = 4;
    static final int DARK_EVERY_MINUTES = 12;
    static final int FIRST_DARK_MINUTES = 5;
    private static final Duration BOARD_POLL = Duration.ofSeconds(20);
    private final Instant started = Instant.now();
    private Instant nextPollAt = Instant.EPOCH;
    private Instant nextCutAt = started.plus(Duration.ofMinutes(FIRST_DARK_MINUTES));
    private Instant darkUntil = Instant.EPOCH;

    /**
     * @param tokens mints a token for (role, subject), e.g. ("driver", "d-1")
     * @param base the adapters' base URL, for the drivers' {@link DriverClient}s
     * @param journals the directory holding one journal directory per driver
     */
    public DemoSimulator(TrackingClient client, OrderTracker tracker, LocationStore locations,
            BiFunction<String, String, String> tokens, URI base, Path journals) {
        this.client = client;
        this.base = base;
        this.journals = journals;
        this.tracker = tracker;
        this.locations = locations;
        this.tokens = tokens;
        this.operatorToken = tokens.apply("operator", "demo-simulator");
        String[] homes = {"hamra", "gemmayzeh_west", "verdun_north", "downtown", "mar_elias"};
        Duration[] deadZones = {Duration.ZERO, Duration.ofSeconds(45), Duration.ofMinutes(3), Duration.ZERO,
                Duration.ZERO};
        for (int i = 0; i < homes.length; i++) {
            drivers.add(new Driver("d-" + (i + 1), map.place(homes[i]).point(), deadZones[i],
                    6 + random.nextDouble() * 4));
        }
    }

    /** Starts the simulation: adopts orders under way, then ticks once a second. */
    public void start() {
        thread.execute(this::adoptActiveOrders);
        thread.execute(this::seedOrders);
        thread.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        for (Driver driver : drivers) {
            driver.app.close(); // what was not delivered stays in the driver's journal
        }
        network.close();
    }

    /** A phone's radio: the real transport, with no signal at all while the driver is in a dead zone. */
    private final class Radio implements Transport {
        private final Set<Transport.Socket> open = ConcurrentHashMap.newKeySet();
        private volatile boolean noSignal;

        void signal(boolean on) {
            noSignal = !on;
            if (!on) {
                open.forEach(Transport.Socket::close);
            }
        }

        @Override
        public Response post(URI uri, Map<String, String> headers, byte[] body, Duration timeout) throws IOException {
            if (noSignal) {
                throw new IOException("no signal");
            }
            return network.post(uri, headers, body, timeout);
        }

        @Override
        public Socket openSocket(URI uri, Map<String, String> headers, SocketListener listener, Duration timeout)
                throws IOException {
            if (noSignal) {
                throw new IOException("no signal");
            }
            Transport.Socket socket = network.openSocket(uri, headers, new SocketListener() {
                @Override
                public void onText(String text) {
                    listener.onText(text);
                }

                @Override
                public void onClosed(int code, String reason) {
                    listener.onClosed(code, reason);
                }
            }, timeout);
            open.add(socket);
            return new Transport.Socket() {
                @Override
                public void send(String text) {
                    socket.send(text);
                }

                @Override
                public void close() {
                    open.remove(socket);
                    socket.close();
                }
            };
        }

        @Override
        public void close() {
            // the shared network transport is closed by the simulator
        }
    }

    private void tick() {
        try {
            Instant now = Instant.now();
            power(now);
            boards(now);
            newOrders(now);
            cook(now);
            for (Driver driver : drivers) {
                driver.step(now);
            }
        } catch (RuntimeException e) {
            LOG.warn("simulator tick failed; carrying on", e);
        }
    }

    /** Starts and ends the Verdun kitchen's power cuts. */
    private void power(Instant now) {
        if (!now.isBefore(nextCutAt)) {
            darkUntil = now.plus(Duration.ofMinutes(DARK_MINUTES));
            nextCutAt = now.plus(Duration.ofMinutes(DARK_EVERY_MINUTES));
            LOG.info("demo: the kitchen of {} lost power for {} minutes (no board, no cooking)", DARK_RESTAURANT,
                    DARK_MINUTES);
            // customers keep ordering: this order waits for a kitchen that cannot see it, so the restaurant
            // counts as dark 3 minutes into the cut, until its tablet polls again
            Kitchen waiting = placeOrder(now, DARK_RESTAURANT, 5, false);
            if (waiting != null) {
                LOG.info("demo: order {} waits for {} in the dark", waiting.orderId, DARK_RESTAURANT);
            }
        }
    }

    private boolean dark(String restaurantId, Instant now) {
        return restaurantId.equals(DARK_RESTAURANT) && now.isBefore(darkUntil);
    }

    /** Each kitchen tablet with power polls its orders: the restaurant's heartbeat. */
    private void boards(Instant now) {
        if (now.isBefore(nextPollAt)) {
            return;
        }
        nextPollAt = now.plus(BOARD_POLL);
        for (String restaurant : RESTAURANTS.keySet()) {
            if (dark(restaurant, now)) {
                continue;
            }
            try {
                client.restaurantOrders(tokens.apply("restaurant", restaurant), restaurant);
            } catch (Exception e) {
                LOG.debug("board poll of {} failed: {}", restaurant, e.getMessage());
            }
        }
    }

    private void adoptActiveOrders() {
        for (String restaurant : RESTAURANTS.keySet()) {
            for (TrackedOrder order : tracker.activeOrdersOfRestaurant(restaurant)) {
                Kitchen k = new Kitchen(order.orderId(), restaurant, order.destination(), order.status(), Instant.now());
                kitchen.put(order.orderId(), k);
                Driver driver = drivers.stream().filter(d -> d.id.equals(order.driverId())).findFirst().orElse(null);
                if (driver != null) {
                    k.driver = driver;
                    LocationFix last = locations.get(driver.id).orElse(null);
                    if (last != null) {
                        driver.position = last.point();
                    }
                    driver.adopt(k);
                }
                LOG.info("simulator adopted order {} ({})", order.orderId(), order.status());
            }
        }
    }

    /** A fresh demo (nothing adopted) starts with orders at several stages; see the class javadoc. */
    private void seedOrders() {
        if (!kitchen.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        placeOrder(now, "r-hamra", 0, true);
        placeOrder(now, "r-gemmayzeh", 1, false);
        placeOrder(now, "r-verdun", 8, false);
        nextOrderAt = now.plusSeconds(15 + random.nextInt(16));
    }

    private void newOrders(Instant now) {
        if (now.isBefore(nextOrderAt) || kitchen.size() >= drivers.size() + 2) {
            return;
        }
        nextOrderAt = now.plusSeconds(15 + random.nextInt(16));
        List<String> ids = new ArrayList<>(RESTAURANTS.keySet());
        Kitchen k = placeOrder(now, ids.get(random.nextInt(ids.size())), 5 + random.nextInt(8), false);
        if (k != null) {
            k.rejectable = true;
        }
    }

    /**
     * Registers an order at {@code restaurant} to a random address; the kitchen accepts it after
     * {@code acceptAfter} seconds, and a {@code rushed} order is cooked in a second instead of 20–40 s.
     * Returns its kitchen entry, or null if the registration failed.
     */
    private Kitchen placeOrder(Instant now, String restaurant, int acceptAfter, boolean rushed) {
        String place;
        do {
            place = ADDRESSES.get(random.nextInt(ADDRESSES.size()));
        } while (place.equals(RESTAURANTS.get(restaurant)));
        String orderId = "o-" + Long.toString(now.getEpochSecond(), 36) + "-" + (++orderCounter);
        String customer = "c-" + (100 + random.nextInt(900));
        GeoPoint destination = map.place(place).point();
        try {
            client.registerOrder(operatorToken, orderId, restaurant, customer, destination);
            Kitchen k = new Kitchen(orderId, restaurant, destination, OrderStatus.RECEIVED, now);
            k.nextStepAt = now.plusSeconds(acceptAfter);
            k.rushed = rushed;
            kitchen.put(orderId, k);
            return k;
        } catch (Exception e) {
            LOG.warn("could not register a demo order: {}", e.getMessage());
            return null;
        }
    }

    private void cook(Instant now) {
        for (Kitchen k : List.copyOf(kitchen.values())) {
            if (k.status.isTerminal()) {
                kitchen.remove(k.orderId);
                continue;
            }
            if (k.driver == null && (k.status == OrderStatus.ACCEPTED || k.status == OrderStatus.PREPARING
                    || k.status == OrderStatus.READY)) {
                dispatch(k);
            }
            if (now.isBefore(k.nextStepAt) || dark(k.restaurantId, now)) {
                continue;
            }
            String restaurantToken = tokens.apply("restaurant", k.restaurantId);
            try {
                switch (k.status) {
                    case RECEIVED -> {
                        if (k.rejectable && random.nextInt(12) == 0) {
                            client.transition(restaurantToken, k.orderId, "failed", "kitchen_busy");
                            k.status = OrderStatus.FAILED;
                        } else {
                            client.transition(restaurantToken, k.orderId, "accepted", null);
                            k.status = OrderStatus.ACCEPTED;
                            k.nextStepAt = now.plusSeconds(k.rushed ? 1 : 4);
                        }
                    }
                    case ACCEPTED -> {
                        client.transition(restaurantToken, k.orderId, "preparing", null);
                        k.status = OrderStatus.PREPARING;
                        k.nextStepAt = now.plusSeconds(k.rushed ? 1 : 20 + random.nextInt(21));
                    }
                    case PREPARING -> {
                        client.transition(restaurantToken, k.orderId, "ready", null);
                        k.status = OrderStatus.READY;
                        k.nextStepAt = Instant.MAX;
                    }
                    default -> k.nextStepAt = Instant.MAX;
                }
            } catch (Exception e) {
                // someone else moved the order (the dashboard's buttons): follow the stored status
                tracker.find(k.orderId).ifPresent(order -> k.status = order.status());
                k.nextStepAt = now.plusSeconds(3);
                LOG.debug("kitchen step of {} failed: {}", k.orderId, e.getMessage());
            }
        }
    }

    private void dispatch(Kitchen k) {
        GeoPoint restaurant = map.place(RESTAURANTS.get(k.restaurantId)).point();
        Driver best = null;
        for (Driver driver : drivers) {
            if (driver.job == null && (best == null || Haversine.meters(driver.position, restaurant)
                    < Haversine.meters(best.position, restaurant))) {
                best = driver;
            }
        }
        if (best == null) {
            return;
        }
        try {
            client.assignDriver(operatorToken, k.orderId, best.id);
            k.driver = best;
            best.job = k;
            best.assignedAt = Instant.now();
            // the driver starts moving when its socket receives the assignment frame
        } catch (Exception e) {
            LOG.warn("could not dispatch {} to {}: {}", k.orderId, best.id, e.getMessage());
        }
    }

    /** The kitchen's view of one order. */
    private static final class Kitchen {
        final String orderId;
        final String restaurantId;
        final GeoPoint destination;
        OrderStatus status;
        Instant nextStepAt;
        Driver driver;
        boolean rushed;
        boolean rejectable;

        Kitchen(String orderId, String restaurantId, GeoPoint destination, OrderStatus status, Instant now) {
            this.orderId = orderId;
            this.restaurantId = restaurantId;
            this.destination = destination;
            this.status = status;
            this.nextStepAt = now.plusSeconds(3);
        }
    }

    private enum Leg { IDLE, TO_RESTAURANT, WAITING, TO_CUSTOMER }

    /** One simulated driver app: position, leg, and its {@link DriverClient} behind a {@link Radio}. */
    private final class Driver {
        final String id;
        final Duration deadZone;
        final double baseSpeed;
        final String token;
        final ConcurrentLinkedQueue<String> assignments = new ConcurrentLinkedQueue<>();
        final Radio radio = new Radio();
        final DriverClient app;
        boolean inDeadZone;
        GeoPoint position;
        Kitchen job;
        Leg leg = Leg.IDLE;
        Route route;
        double travelled;
        double speed;
        Instant legStartedAt;
        Instant assignedAt = Instant.EPOCH;
        Instant nextFixAt = Instant.EPOCH;

        Driver(String id, GeoPoint home, Duration deadZone, double baseSpeed) {
            this.id = id;
            this.position = home;
            this.deadZone = deadZone;
            this.baseSpeed = baseSpeed;
            this.token = tokens.apply("driver", id);
            this.app = DriverClient.builder(base, id).journalDirectory(journals.resolve(id))
                    .tokens(TokenSupplier.of(token)).transport(radio).closeTimeout(Duration.ofSeconds(1))
                    .backoff(Duration.ofSeconds(1), Duration.ofSeconds(10))
                    .instructionListener(instruction -> {
                        if (instruction.type() == Instruction.Type.ASSIGNMENT) {
                            assignments.add(instruction.orderId());
                        }
                    })
                    .listener(new DriverClientListener() {
                        private long waiting;

                        @Override
                        public void onStateChanged(ClientState state) {
                            if (waiting > 1 && state.backlog() == 0 && state.online()) {
                                LOG.info("driver {} is back: {} buffered fixes delivered, up to {}", id, waiting,
                                        state.lastAcknowledged());
                            }
                            waiting = state.backlog();
                        }

                        @Override
                        public void onRejected(Fix fix, String reason, String message) {
                            LOG.info("driver {}: the server refused the fix of {}: {}", id, fix.recordedAt(), reason);
                        }
                    })
                    .build();
        }

        void adopt(Kitchen k) {
            job = k;
            if (k.status == OrderStatus.PICKED_UP) {
                startLeg(Leg.TO_CUSTOMER, k.destination);
            } else {
                startLeg(Leg.TO_RESTAURANT, map.place(RESTAURANTS.get(k.restaurantId)).point());
            }
        }

        void step(Instant now) {
            boolean dead = inDeadZone(now);
            if (dead != inDeadZone) {
                inDeadZone = dead;
                radio.signal(!dead);
                if (!dead) {
                    app.flushNow(); // the app hears from the platform that the network is back
                }
            }
            boolean told = false;
            String assigned;
            while ((assigned = assignments.poll()) != null) {
                told |= job != null && job.orderId.equals(assigned);
            }
            // an app that missed the assignment frame (socket down) learns of it on its next sync
            if (job != null && leg == Leg.IDLE && (told || now.isAfter(assignedAt.plusSeconds(5)))) {
                startLeg(Leg.TO_RESTAURANT, map.place(RESTAURANTS.get(job.restaurantId)).point());
            }
            if (job != null && job.status.isTerminal()) {
                job = null;
                leg = Leg.IDLE;
            }
            switch (leg) {
                case TO_RESTAURANT, TO_CUSTOMER -> drive(now);
                case WAITING -> {
                    if (job.status == OrderStatus.READY) {
                        transition("picked_up", OrderStatus.PICKED_UP);
                        startLeg(Leg.TO_CUSTOMER, job.destination);
                    }
                }
                default -> {
                }
            }
            if (!now.isBefore(nextFixAt) && leg != Leg.IDLE) {
                report(now);
                nextFixAt = now.plusSeconds(5 + random.nextInt(6));
            }
        }

        private void startLeg(Leg next, GeoPoint target) {
            leg = next;
            route = map.route(map.nearest(position), map.nearest(target));
            travelled = 0;
            legStartedAt = Instant.now();
        }

        private void drive(Instant now) {
            speed = Math.max(3, baseSpeed * (0.8 + random.nextDouble() * 0.4));
            travelled += speed;
            position = route.positionAt(travelled);
            if (travelled < route.length()) {
                return;
            }
            if (leg == Leg.TO_RESTAURANT) {
                leg = Leg.WAITING;
            } else {
                report(now);
                app.flushNow();
                if (random.nextInt(30) == 0) {
                    transition("failed", OrderStatus.FAILED, "customer_unreachable");
                } else {
                    transition("delivered", OrderStatus.DELIVERED);
                }
                job = null;
                leg = Leg.IDLE;
            }
        }

        private boolean inDeadZone(Instant now) {
            if (deadZone.isZero() || leg != Leg.TO_CUSTOMER) {
                return false;
            }
            Duration since = Duration.between(legStartedAt, now);
            return since.compareTo(Duration.ofSeconds(30)) >= 0
                    && since.compareTo(Duration.ofSeconds(30).plus(deadZone)) < 0;
        }

        private void report(Instant now) {
            double heading = route == null ? 0 : route.headingAt(travelled) % 360;
            Fix fix = new Fix(position.lat(), position.lon(), 5.0 + random.nextInt(15),
                    heading < 0 ? heading + 360 : heading, Math.min(speed, Fix.MAX_SPEED_MPS),
                    now.truncatedTo(ChronoUnit.MILLIS));
            try {
                app.record(fix); // journaled on disk; sent live, or later as a batch after a dead zone
            } catch (JournalException e) {
                LOG.warn("driver {} could not record a fix: {}", id, e.getMessage());
            }
        }

        private void transition(String status, OrderStatus next) {
            transition(status, next, null);
        }

        private void transition(String status, OrderStatus next, String reason) {
            try {
                client.transition(token, job.orderId, status, reason);
                job.status = next;
            } catch (Exception e) {
                tracker.find(job.orderId).ifPresent(order -> job.status = order.status());
                LOG.warn("driver {} could not mark {} {}: {}", id, job.orderId, status, e.getMessage());
            }
        }
    }
}
