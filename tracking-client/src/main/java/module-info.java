/**
 * The driver's side of the Order Tracking SDK: {@link org.ordertracking.client.DriverClient} journals
 * location fixes on local disk and delivers them to the tracking server.
 */
module org.ordertracking.client {
    requires java.net.http;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports org.ordertracking.client;
}
