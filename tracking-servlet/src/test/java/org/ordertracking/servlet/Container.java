package org.ordertracking.servlet;

import jakarta.servlet.ServletException;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The embedded servlet containers the integration suite runs on. Each mounts a {@link TrackingServlet} at
 * {@code /tracking/*} (async supported) and its driver socket at {@code /tracking/drivers/{driver_id}/socket}, on
 * 127.0.0.1 and a free port.
 */
enum Container {
    /** Jetty 12 (ee10), the WebSocket container through Jetty's own initializer. */
    JETTY {
        @Override
        Running start(TrackingServlet servlet) throws Exception {
            QueuedThreadPool threads = new QueuedThreadPool(200, 8);
            threads.setName("jetty-test");
            Server server = new Server(threads);
            ServerConnector connector = new ServerConnector(server);
            connector.setPort(0);
            connector.setHost("127.0.0.1");
            connector.setAcceptQueueSize(2048);
            server.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            ServletHolder holder = new ServletHolder(servlet);
            holder.setAsyncSupported(true);
            context.addServlet(holder, "/tracking/*");
            JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
                    container.addEndpoint(servlet.driverSocket(SOCKET_PATH)));
            server.setHandler(context);
            server.start();
            return new Running(connector.getLocalPort(), server::stop);
        }
    },
    /**
     * Tomcat 11 on a context without {@code web.xml}: Tomcat's WebSocket initializer ({@link WsSci}) runs first so
     * the {@link ServerContainer} exists when the endpoint is added.
     */
    TOMCAT {
        @Override
        Running start(TrackingServlet servlet) throws Exception {
            Path baseDir = Files.createTempDirectory("tomcat-test");
            Tomcat tomcat = new Tomcat();
            tomcat.setBaseDir(baseDir.toString());
            Connector connector = new Connector();
            connector.setPort(0);
            connector.setProperty("address", "127.0.0.1");
            connector.setProperty("acceptCount", "2048");
            tomcat.setConnector(connector);
            Context context = tomcat.addContext("", null);
            // the leak checks' reflective probes need --add-opens and only warn without it
            ((org.apache.catalina.core.StandardContext) context).setClearReferencesRmiTargets(false);
            ((org.apache.catalina.core.StandardContext) context).setClearReferencesThreadLocals(false);
            Wrapper wrapper = Tomcat.addServlet(context, "tracking", servlet);
            wrapper.setAsyncSupported(true);
            context.addServletMappingDecoded("/tracking/*", "tracking", false);   // false: not a JSP wildcard
            context.addServletContainerInitializer(new WsSci(), null);
            context.addServletContainerInitializer((classes, servletContext) -> {
                ServerContainer container = (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
                try {
                    container.addEndpoint(servlet.driverSocket(SOCKET_PATH));
                } catch (DeploymentException e) {
                    throw new ServletException(e);
                }
            }, null);
            tomcat.start();
            return new Running(connector.getLocalPort(), () -> {
                try {
                    tomcat.stop();
                    tomcat.destroy();
                } finally {
                    deleteRecursively(baseDir);
                }
            });
        }
    };

    static final String SOCKET_PATH = "/tracking/drivers/{driver_id}/socket";

    /** Tomcat logs through java.util.logging; its start/stop lines would drown the tests' output. */
    private static final java.util.logging.Logger TOMCAT_LOG = java.util.logging.Logger.getLogger("org.apache");

    static {
        TOMCAT_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    /** Starts the container serving {@code servlet}; the caller closes what it returns. */
    abstract Running start(TrackingServlet servlet) throws Exception;

    /** A started container: its port, and how to stop it. */
    record Running(int port, Stop stop) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            stop.stop();
        }
    }

    @FunctionalInterface
    interface Stop {
        void stop() throws Exception;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
