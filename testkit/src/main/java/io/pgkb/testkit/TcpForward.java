package io.pgkb.testkit;

import io.pgkb.testkit.internal.Files2;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP port on localhost that forwards every connection to another address: a service that refuses connections
 * (nothing listens on {@link #freePort()} yet) and then answers ({@link #start}), without stopping the shared
 * server other tests use. {@link #close()} ends the forwarded connections too.
 */
public final class TcpForward implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private TcpForward(ServerSocket server, int targetPort) {
        this.server = server;
        this.targetPort = targetPort;
    }

    /** A port nothing listens on now (connections to it are refused). */
    public static int freePort() {
        return Files2.freePort();
    }

    /** Listens on {@code port} and forwards each connection to {@code targetPort} on localhost. */
    public static TcpForward start(int port, int targetPort) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            TcpForward f = new TcpForward(server, targetPort);
            daemon("tcp-forward-" + port, f::accept);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port, e);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException e) {
                continue; // closed: the loop ends
            }
            try {
                Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(in);
                sockets.add(out);
                daemon("tcp-forward-in", () -> pump(in, out));
                daemon("tcp-forward-out", () -> pump(out, in));
            } catch (IOException e) {
                closeQuietly(in); // the target refused: so does the forward
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side ended: the other is closed below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(TcpForward::closeQuietly);
    }
}
