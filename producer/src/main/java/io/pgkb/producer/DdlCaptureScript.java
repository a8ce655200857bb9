package io.pgkb.producer;

import io.pgkb.producer.internal.DdlCapture;

/**
 * The script that installs DDL capture (one function and three event triggers in schema {@code pgkb_ddl}), for a DBA
 * to run by hand ({@code pgkb produce --print-ddl-capture-sql}) or a program to run before it measures or embeds the
 * producer. Repeatable: running it again replaces what it installed.
 */
public final class DdlCaptureScript {
    private DdlCaptureScript() {
    }

    public static String installSql() {
        return DdlCapture.installSql();
    }
}
