package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * With {@code --json}, {@code restore} and {@code verify} print exactly one JSON document on stdout whatever
 * happens, its {@code exit_code} the process's; the human line stays on stderr. Successful documents are proven on a
 * real archive in the restorer's {@code RefusalIT}.
 */
class JsonOutputTest {
    @TempDir
    Path dir;

    record Run(int code, JsonNode json, String err) {
    }

    /** Runs pgkb with both of stdout's routes (System.out and picocli's writer) captured into one buffer. */
    private static Run run(String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream original = System.out;
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        StringWriter err = new StringWriter();
        int code;
        System.setOut(capture);
        try {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(capture, true));
            cl.setErr(new PrintWriter(err, true));
            code = cl.execute(args);
        } finally {
            System.setOut(original);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        ObjectMapper mapper = new ObjectMapper();
        // exactly one document: reading it must consume everything but whitespace
        var parser = mapper.getFactory().createParser(out);
        JsonNode doc = mapper.readTree(parser);
        assertThat(parser.nextToken()).as("nothing after the document on stdout: %s", out).isNull();
        return new Run(code, doc, err.toString());
    }

    @Test
    void aUsageErrorIsADocumentWithExitCode2() throws Exception {
        Run r = run("restore", "--json", "--tables", "public.t");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.json.get("command").asText()).isEqualTo("restore");
        assertThat(r.json.get("exit_code").asInt()).isEqualTo(2);
        assertThat(r.json.get("error").asText()).contains("--target").doesNotContain("\n");
        assertThat(r.err).contains("pgkb restore: ");
    }

    @Test
    void aBadOptionValueIsADocumentWithExitCode2() throws Exception {
        Run r = run("verify", "--json", "--store", dir.toString(), "--tables", "public.\"unterminated");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.json.get("exit_code").asInt()).isEqualTo(2);
        assertThat(r.json.get("error").asText()).isNotBlank();
    }

    @Test
    void aRefusedRestoreIsADocumentWithExitCode3() throws Exception {
        Run r = run("restore", "--json", "--store", dir.toString(), "--target", "postgresql://u@localhost:1/db",
                "--tables", "public.t", "--latest", "--dry-run");
        assertThat(r.code).isEqualTo(3);
        assertThat(r.json.get("exit_code").asInt()).isEqualTo(3);
        assertThat(r.json.get("error").asText()).contains("no confirmed progress");
        assertThat(r.err).contains(r.json.get("error").asText());
    }

    @Test
    void verifyOfAnEmptyArchiveIsSoundWithNoTables() throws Exception {
        Files.createDirectories(dir.resolve("archive"));
        Run r = run("verify", "--json", "--store", dir.resolve("archive").toString());
        assertThat(r.code).isZero();
        assertThat(r.json.get("exit_code").asInt()).isZero();
        assertThat(r.json.get("command").asText()).isEqualTo("verify");
        assertThat(r.json.get("sound").asBoolean()).isTrue();
        assertThat(r.json.get("tables")).isEmpty();
        assertThat(r.json.get("problems")).isEmpty();
    }
}
