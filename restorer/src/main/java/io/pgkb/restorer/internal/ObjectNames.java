package io.pgkb.restorer.internal;

import io.pgkb.schemas.TableId;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names of the objects a restored table brings (indexes, constraints, sequences) while it is built and after the
 * swap. Objects that live in the schema's relation namespace (indexes, sequences) are built under temporary names
 * derived from the work table's, so nothing collides with the live table's objects; the swap renames them to their
 * final names. A final name is the source's, with a leading source table name replaced by the target's when the
 * table is restored under another name ({@code orders_pkey} → {@code orders_old_pkey}).
 */
final class ObjectNames {
    /** PostgreSQL's NAMEDATALEN - 1, in bytes. */
    static final int MAX_BYTES = 63;
    private final TableId source;
    private final TableId target;
    private final TableId work;
    private final AtomicInteger next = new AtomicInteger();

    ObjectNames(TableId source, TableId target, TableId work) {
        this.source = source;
        this.target = target;
        this.work = work;
    }

    TableId work() {
        return work;
    }

    TableId target() {
        return target;
    }

    /** A fresh temporary name in the work table's schema. */
    String temporary() {
        return work.table() + "_" + next.incrementAndGet();
    }

    /** The name the source object {@code name} has once the table is in place. */
    String finalName(String name) {
        if (source.table().equals(target.table())) {
            return name;
        }
        if (name.equals(source.table()) || name.startsWith(source.table() + "_")) {
            return truncate(target.table() + name.substring(source.table().length()));
        }
        return name;
    }

    static String truncate(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_BYTES) {
            return name;
        }
        int end = name.length();
        while (name.substring(0, end).getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            end = name.offsetByCodePoints(end, -1);
        }
        return name.substring(0, end);
    }
}
