/**
 * Servlet 6 and Jakarta WebSocket adapters of the Order Tracking SDK: {@link
 * org.ordertracking.servlet.TrackingServlet} (SSE streams, polling, order and driver endpoints,
 * metrics), {@link org.ordertracking.servlet.DriverSocket} (the driver WebSocket), the {@link
 * org.ordertracking.servlet.Authorizer} SPI with its default {@link
 * org.ordertracking.servlet.JwtAuthorizer}, and the stable {@link org.ordertracking.servlet.ProblemType}s
 * of error responses. See {@code docs/servlet.md}.
 *
 * @since 0.1.0
 */
package org.ordertracking.servlet;
