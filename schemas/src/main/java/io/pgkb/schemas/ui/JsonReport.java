package io.pgkb.schemas.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one JSON document a command prints on stdout with {@code --json}, for jobs that run pgkb unattended:
 * {@code command} and {@code exit_code} first (the same as the process's), then the command's own fields; a
 * failure is {@code {"command", "exit_code", "error"}} with the one-line message of stderr.
 */
public final class JsonReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    public static String of(String command, int exitCode, Map<String, Object> body) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", command);
        doc.put("exit_code", exitCode);
        doc.putAll(body);
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String error(String command, int exitCode, String message) {
        return of(command, exitCode, Map.of("error", message));
    }
}
