package io.pgkb.producer.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted registry on a loopback port (the JDK's HTTP server) for unit tests of the registry client: each request
 * is recorded as {@code METHOD URI auth=<Authorization> <body>} and answered by the handler.
 */
final class ScriptedRegistry implements AutoCloseable {
    interface Handler {
        void handle(HttpExchange ex, String body) throws IOException;
    }

    final List<String> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    ScriptedRegistry(Handler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " auth=" + ex.getRequestHeaders().getFirst("Authorization") + " " + body);
            handler.handle(ex, body);
        });
        server.start();
    }

    /** The Confluent API root, as {@code --schema-registry} takes it. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7";
    }

    static void answer(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
