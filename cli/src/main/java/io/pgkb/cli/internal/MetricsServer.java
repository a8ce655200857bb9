package io.pgkb.cli.internal;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves the default Prometheus registry on {@code /metrics} (text format) and a liveness answer on
 * {@code /health}: the process is up and its command has not finished. Readiness is each component's business.
 */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;
    private final ExecutorService executor;

    private MetricsServer(HTTPServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static MetricsServer start(int port) throws IOException {
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "pgkb-metrics");
            t.setDaemon(true); // never keeps a finished command alive
            return t;
        });
        HTTPServer server = HTTPServer.builder()
                .port(port)
                .executorService(executor)
                .defaultHandler(MetricsServer::handleOther)
                .buildAndStart();
        return new MetricsServer(server, executor);
    }

    public int port() {
        return server.getPort();
    }

    /** Everything except /metrics and Prometheus' own /-/healthy lands here. */
    private static void handleOther(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        boolean health = path.equals("/health") || path.equals("/health/");
        byte[] body = (health ? "ok\n" : "not found; try /metrics or /health\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(health ? 200 : 404, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.close();
        executor.shutdownNow();
    }
}
