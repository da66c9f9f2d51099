package org.ordertracking.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking HTTP/1.1 client on one persistent loopback connection: the publisher threads
 * use one each, so the load generator spends its CPU on the load, not on a client library. Not
 * thread-safe; reconnects when the server closes.
 */
final class Http1 implements AutoCloseable {
    /** A response: status and body. */
    record Response(int status, String body) {
    }

    private final InetSocketAddress server;
    private final String localIp;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Http1(InetSocketAddress server, String localIp) {
        this.server = server;
        this.localIp = localIp;
    }

    Response send(String method, String path, String token, String body) throws IOException {
        try {
            return exchange(method, path, token, body);
        } catch (IOException e) {
            close();
            return exchange(method, path, token, body);
        }
    }

    private Response exchange(String method, String path, String token, String body) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.bind(new InetSocketAddress(localIp, 0));
            socket.connect(server, 5000);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path)
                .append(" HTTP/1.1\r\nHost: ").append(server.getHostString()).append(':').append(server.getPort())
                .append("\r\n");
        if (token != null) {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + payload.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(payload, 0, request, headBytes.length, payload.length);
        out.write(request);
        out.flush();
        String statusLine = readLine();
        if (statusLine == null || statusLine.length() < 12) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            String lower = line.toLowerCase();
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        if (chunked) {
            while (true) {
                String size = readLine();
                int semi = size.indexOf(';');
                int n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                if (n == 0) {
                    readLine();
                    break;
                }
                content.write(in.readNBytes(n));
                readLine();
            }
        } else if (length >= 0) {
            content.write(in.readNBytes((int) length));
        } else if (status != 204 && status != 304) {
            content.write(in.readAllBytes());
            close = true;
        }
        if (close) {
            close();
        }
        return new Response(status, content.toString(StandardCharsets.UTF_8));
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                int len = line.length();
                return len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
            }
            line.append((char) b);
        }
        return line.length() == 0 ? null : line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
