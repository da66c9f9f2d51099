package org.ordertracking.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ordertracking.servlet.war.TrackingInitializer;

/**
 * docs/servlet.md's WAR recipe, deployed the way an external Tomcat deploys it: an exploded WAR whose
 * {@code WEB-INF/classes} holds the host's {@link TrackingInitializer} and its
 * {@code META-INF/services/jakarta.servlet.ServletContainerInitializer} entry, started with
 * {@code Tomcat.addWebapp} so Tomcat finds both its own WebSocket initializer and the application's.
 */
@Timeout(120)
class WarRecipeIT {

    @Test
    void warRecipe_deployedWithAddWebapp_servesStreamsAndSocket_andUndeployEndsOpenStreamsCleanly() throws Exception {
        Path baseDir = Files.createTempDirectory("tomcat-war");
        Path webapp = Files.createDirectories(baseDir.resolve("webapps/tracking-app"));
        Path classes = Files.createDirectories(webapp.resolve("WEB-INF/classes"));
        copyClass(TrackingInitializer.class, classes);
        copyClass(Class.forName(TrackingInitializer.class.getName() + "$1"), classes);
        Path services = Files.createDirectories(classes.resolve("META-INF/services"))
                .resolve("jakarta.servlet.ServletContainerInitializer");
        Files.writeString(services, TrackingInitializer.class.getName() + "\n", StandardCharsets.UTF_8);

        Tomcat tomcat = new Tomcat();
        try {
            tomcat.setBaseDir(baseDir.toString());
            tomcat.setPort(0);
            tomcat.setAddDefaultWebXmlToWebapp(false);   // no JSP engine on this classpath
            Context context = tomcat.addWebapp("", webapp.toString());
            // as an operator would in conf/Catalina/localhost/ROOT.xml: <Parameter name="tracking.jwt-secret" .../>
            context.addParameter("tracking.jwt-secret", new String(RecipeChecks.SECRET, StandardCharsets.UTF_8));
            // this test's classpath also holds Jetty, whose initializers an external Tomcat would not have
            ((org.apache.catalina.core.StandardContext) context).setContainerSciFilter("org\\.eclipse\\.jetty\\.");
            // scan the WAR, not the test's classpath of a hundred jars (the container's initializers are found anyway)
            ((StandardJarScanner) context.getJarScanner()).setScanClassPath(false);
            tomcat.getConnector();
            tomcat.start();
            assertEquals(LifecycleState.STARTED, context.getState(), "the web application did not start");

            URI base = URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/tracking");
            HttpClient http = RecipeChecks.client();
            try (SseClient customer = RecipeChecks.exercise(http, base, "wr-1", null)) {
                // undeploy with the stream open: Tomcat waits its unloadDelay, then destroys the servlet,
                // which closes the node and ends the stream with its last chunk
                tomcat.stop();
                customer.awaitCleanEnd(Duration.ofSeconds(30));
            }
        } finally {
            if (tomcat.getServer().getState().isAvailable()) {
                tomcat.stop();
            }
            tomcat.destroy();
            Container.deleteRecursively(baseDir);
        }
    }

    private static void copyClass(Class<?> type, Path classes) throws Exception {
        String resource = type.getName().replace('.', '/') + ".class";
        URL url = type.getClassLoader().getResource(resource);
        Path target = classes.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = url.openStream()) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
