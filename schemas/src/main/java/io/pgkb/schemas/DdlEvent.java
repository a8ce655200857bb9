package io.pgkb.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * A DDL record of a table topic ({@code DdlEvent.avsc}): the table's columns and definition after a DDL command,
 * captured in the DDL's own transaction. Its value is single-object encoded like a change envelope, ends with the
 * same {@code source} fields, and carries the header {@code pgkb.op=DDL}; it is not a change envelope and never
 * has an {@code op} field, so readers of row changes recognise it by {@link #isDdlSchema} or the header.
 */
public record DdlEvent(int format, long tableOid, String commandTag, boolean rewrite, boolean dropped,
                       List<Column> columns, String definition, String query, long lsn, long commitLsn, long xid,
                       long commitTimeMicros, long seq, String table) {
    public static final String SCHEMA_NAME = "io.pgkb.DdlEvent";
    /** Value of the {@code pgkb.op} header of a DDL record. */
    public static final String OP_HEADER = "DDL";
    public static final int FORMAT = 1;
    public static final Schema SCHEMA = load();
    public static final long FINGERPRINT = SingleObjectCodec.fingerprint64(SCHEMA);

    /** A live column after the command; {@code missing} is what rows older than its ADD show (null: none). */
    public record Column(int attnum, String name, String type, String missing) {
    }

    public DdlEvent {
        columns = List.copyOf(columns);
    }

    /** True for the writer schema of any DDL record version (matched by name, so later versions are recognised). */
    public static boolean isDdlSchema(Schema writer) {
        return writer != null && SCHEMA_NAME.equals(writer.getFullName());
    }

    public byte[] encode() {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("format", format);
        r.put("table_oid", tableOid);
        r.put("command_tag", commandTag);
        r.put("rewrite", rewrite);
        r.put("dropped", dropped);
        Schema colSchema = SCHEMA.getField("columns").schema().getElementType();
        List<GenericRecord> cols = new ArrayList<>();
        for (Column c : columns) {
            GenericRecord cr = new GenericData.Record(colSchema);
            cr.put("attnum", c.attnum());
            cr.put("name", c.name());
            cr.put("type", c.type());
            cr.put("missing", c.missing());
            cols.add(cr);
        }
        r.put("columns", cols);
        r.put("definition", definition);
        r.put("query", query);
        GenericRecord s = new GenericData.Record(RowSchemas.SOURCE);
        s.put("lsn", lsn);
        s.put("commit_lsn", commitLsn);
        s.put("xid", xid);
        s.put("commit_time", commitTimeMicros);
        s.put("seq", seq);
        s.put("table", table);
        r.put("source", s);
        return SingleObjectCodec.encode(SCHEMA, r);
    }

    /**
     * Decodes a DDL record value written with any known version of the schema ({@code resolver} first, then this
     * version).
     *
     * @throws CodecException when the bytes are not a DDL record
     */
    public static DdlEvent decode(byte[] value, SchemaResolver resolver) {
        if (resolver != null) {
            value = ConfluentFraming.toSingleObject(value, resolver); // registry mode: the id through the caller's resolver
        }
        GenericRecord r = SingleObjectCodec.decode(value, fp -> {
            Schema s = resolver == null ? null : resolver.findByFingerprint(fp);
            return s == null && fp == FINGERPRINT ? SCHEMA : s;
        });
        if (!isDdlSchema(r.getSchema())) {
            throw new CodecException("not a pgkb DDL record: schema " + r.getSchema().getFullName());
        }
        try {
            List<Column> cols = new ArrayList<>();
            for (Object o : (List<?>) r.get("columns")) {
                GenericRecord c = (GenericRecord) o;
                cols.add(new Column((Integer) c.get("attnum"), c.get("name").toString(), c.get("type").toString(),
                        str(c.get("missing"))));
            }
            GenericRecord s = (GenericRecord) r.get("source");
            return new DdlEvent((Integer) r.get("format"), (Long) r.get("table_oid"), r.get("command_tag").toString(),
                    (Boolean) r.get("rewrite"), (Boolean) r.get("dropped"), cols, str(r.get("definition")),
                    str(r.get("query")), (Long) s.get("lsn"), (Long) s.get("commit_lsn"), (Long) s.get("xid"),
                    (Long) s.get("commit_time"), (Long) s.get("seq"), s.get("table").toString());
        } catch (RuntimeException e) {
            throw new CodecException("corrupt DDL record: " + e, e);
        }
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    /** One line for people: what the command was and what it did to the table. */
    public String describe() {
        return commandTag + (rewrite ? " (rewrote the table)" : "") + (dropped ? " (table dropped)" : "")
                + " on " + table + " at commit_lsn " + Lsn.of(commitLsn) + " seq " + seq;
    }

    private static Schema load() {
        try (InputStream in = DdlEvent.class.getResourceAsStream("/io/pgkb/schemas/DdlEvent.avsc")) {
            if (in == null) {
                throw new IllegalStateException("missing resource io/pgkb/schemas/DdlEvent.avsc");
            }
            Schema.Parser p = new Schema.Parser();
            p.addTypes(Map.of(RowSchemas.SOURCE.getFullName(), RowSchemas.SOURCE));
            return p.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
