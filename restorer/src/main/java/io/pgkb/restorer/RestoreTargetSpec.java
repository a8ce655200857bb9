package io.pgkb.restorer;

import java.time.Instant;

/** Exactly one of the ways to name the point to restore to. */
public record RestoreTargetSpec(String lsn, Instant time, String mark, boolean latest) {
    public String describe() {
        if (lsn != null) {
            return "--to-lsn " + lsn;
        }
        if (time != null) {
            return "--to-time " + time;
        }
        if (mark != null) {
            return "--to-mark " + mark;
        }
        return "--latest";
    }
}
