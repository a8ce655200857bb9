package io.pgkb.testkit.internal;

/** Where the extension's PostgreSQL listens, whether local or in a container. */
public interface PostgresServer {
    String host();

    int port();

    String user();

    String password();
}
