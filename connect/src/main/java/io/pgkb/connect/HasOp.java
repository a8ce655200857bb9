package io.pgkb.connect;

import io.pgkb.schemas.Headers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.transforms.predicates.Predicate;

/**
 * A Kafka Connect predicate: true for a record whose {@code pgkb.op} header is one of {@code ops}. Connect's own
 * predicates test only whether a header exists, and pgkb's non-row records (TRUNCATE, DDL) are told apart from
 * row changes by that header's value; so a sink drops them with
 *
 * <pre>
 * transforms=skipNonRows
 * transforms.skipNonRows.type=org.apache.kafka.connect.transforms.Filter
 * transforms.skipNonRows.predicate=nonRow
 * predicates=nonRow
 * predicates.nonRow.type=io.pgkb.connect.HasOp
 * predicates.nonRow.ops=TRUNCATE,DDL
 * </pre>
 */
public final class HasOp<R extends ConnectRecord<R>> implements Predicate<R> {
    public static final String OPS = "ops";
    private static final ConfigDef CONFIG = new ConfigDef().define(OPS, ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
            ConfigDef.Importance.HIGH, "values of the pgkb.op header that match, e.g. TRUNCATE,DDL");

    private Set<String> ops = Set.of();

    @Override
    public void configure(Map<String, ?> configs) {
        List<String> list = new AbstractConfig(CONFIG, configs).getList(OPS);
        ops = Set.copyOf(list.stream().map(String::strip).toList());
    }

    @Override
    public boolean test(R record) {
        Header h = record.headers().lastWithName(Headers.OP);
        // the worker's header converter makes a string of it, or leaves the bytes when configured so
        Object v = h == null ? null : h.value();
        String op = v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v == null ? null : v.toString();
        return op != null && ops.contains(op);
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public String version() {
        return PgkbConverter.versionOfPgkb();
    }

    @Override
    public void close() {
        // nothing held
    }
}
