package org.ordertracking.servlet;

/** The driver WebSocket and the batch endpoint. */
class DriverSocketIT {
    static final String SOCKET_KIND = "driver_socket";
}
