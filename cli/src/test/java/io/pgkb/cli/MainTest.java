package io.pgkb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgkb.schemas.PgkbException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class MainTest {
    /** A command that ends the way it is told to, to drive the exception handler. */
    @Command(name = "fail")
    static final class FailCommand implements Callable<Integer> {
        @Option(names = "--with", required = true)
        String with;

        @Option(names = "--pg")
        String pg;

        @Override
        public Integer call() throws Exception {
            switch (with) {
                case "config" -> throw new PgkbException.ConfigException("--tables: no such table public.nope");
                case "incomplete" -> throw new PgkbException.ArchiveIncompleteException("gap in pgkb.public.t partition 0: offsets 10-19 missing");
                case "wrapped" -> throw new IllegalStateException("outer", new PgkbException.FatalException("slot pgkb is active for another process"));
                case "checked" -> throw new IOException("disk on fire");
                default -> throw new NullPointerException("boom");
            }
        }
    }

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand(new FailCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void versionNamesPgkbAndLibraries() {
        Run r = run("--version");
        assertThat(r.code).isZero();
        assertThat(r.out).startsWith("pgkb ").contains("Java 17").contains("Kafka clients");
    }

    @Test
    void helpListsCommandsAndGlobalOptions() {
        Run r = run("--help");
        assertThat(r.code).isZero();
        assertThat(r.out).contains("inspect", "quickstart", "--log-format", "--log-level", "--metrics-port", "Exit codes");
    }

    @Test
    void everySubcommandAnswersHelpAndShowsGlobalOptions() {
        CommandLine cl = Main.commandLine();
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help") || e.getKey().equals("generate-completion")) {
                continue;
            }
            Run r = run(e.getKey(), "--help");
            assertThat(r.code).as(e.getKey()).isZero();
            assertThat(r.out).as(e.getKey()).contains("--log-level", "--help");
        }
    }

    @Test
    void unknownOptionIsOneLineWithHintAndExit2() {
        Run r = run("inspect", "--bootstrap-servers", "k:9092", "--table", "t", "--form-beginning");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("--form-beginning").contains("see pgkb inspect --help");
        assertThat(r.out).isEmpty();
    }

    @Test
    void unknownOptionIsReportedBeforeMissingRequiredOnes() {
        Run r = run("inspect", "--tabel", "public.t");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("Unknown option", "--tabel", "--table").doesNotContain("Missing");
    }

    @Test
    void missingRequiredOptionNamesIt() {
        Run r = run("inspect", "--table", "public.t");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("--bootstrap-servers").contains("see pgkb inspect --help");
    }

    @Test
    void badValueOfGlobalOptionIsUsageError() {
        Run r = run("--log-format", "xml", "inspect", "--bootstrap-servers", "k:1", "--table", "t");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err.strip()).doesNotContain("\n").contains("--log-format").contains("xml");
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheSubcommand() {
        for (String[] args : new String[][] {
                {"--log-level", "debug", "--log-format", "json", "inspect", "--bootstrap-servers", "k:1", "--table", "t"},
                {"inspect", "--bootstrap-servers", "k:1", "--table", "t", "--log-level", "DEBUG", "--log-format=json"}}) {
            CommandLine cl = Main.commandLine();
            cl.parseArgs(args);
            Main main = cl.getCommand();
            assertThat(main.logLevel).as(String.join(" ", args)).isEqualTo(io.pgkb.cli.internal.Logging.LogLevel.DEBUG);
            assertThat(main.logFormat).as(String.join(" ", args)).isEqualTo(io.pgkb.cli.internal.Logging.Format.JSON);
        }
    }

    @Test
    void noCommandIsUsageError() {
        Run r = run();
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("missing command");
    }

    @Test
    void pgkbExceptionsKeepTheirExitCodeAndMessage() {
        Run config = run("fail", "--with", "config");
        assertThat(config.code).isEqualTo(2);
        assertThat(config.err).isEqualTo("pgkb fail: --tables: no such table public.nope" + System.lineSeparator());

        Run incomplete = run("fail", "--with", "incomplete");
        assertThat(incomplete.code).isEqualTo(3);
        assertThat(incomplete.err.strip()).isEqualTo("pgkb fail: gap in pgkb.public.t partition 0: offsets 10-19 missing");

        Run wrapped = run("fail", "--with", "wrapped");
        assertThat(wrapped.code).isEqualTo(1);
        assertThat(wrapped.err.strip()).isEqualTo("pgkb fail: slot pgkb is active for another process");
    }

    @Test
    void unexpectedFailureIsOneLineWithoutStackTraceUnlessDebug() {
        Run plain = run("fail", "--with", "npe");
        assertThat(plain.code).isEqualTo(1);
        assertThat(plain.err.strip()).doesNotContain("\n").contains("unexpected error", "NullPointerException", "boom", "--log-level debug");
        assertThat(plain.err).doesNotContain("\tat ");

        Run debug = run("--log-level", "debug", "fail", "--with", "npe");
        assertThat(debug.code).isEqualTo(1);
        assertThat(debug.err).contains("\tat io.pgkb.cli.MainTest$FailCommand.call");
    }

    @Test
    void inJsonModeTheFinalErrorIsAJsonLogLine() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        Run r;
        try {
            r = run("--log-format", "json", "fail", "--with", "incomplete");
        } finally {
            System.setErr(original);
            io.pgkb.cli.internal.Logging.configure(io.pgkb.cli.internal.Logging.Format.TEXT, io.pgkb.cli.internal.Logging.LogLevel.INFO);
        }
        assertThat(r.code).isEqualTo(3);
        var lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(0));
        assertThat(json.get("level").asText()).isEqualTo("ERROR");
        assertThat(json.get("message").asText()).isEqualTo("pgkb fail: gap in pgkb.public.t partition 0: offsets 10-19 missing");
        assertThat(json.get("exit_code").asInt()).isEqualTo(3);
    }

    @Test
    void metricsPortInUseIsAConfigurationErrorNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Run r = run("--metrics-port", Integer.toString(taken.getLocalPort()), "fail", "--with", "npe");
            assertThat(r.code).isEqualTo(2);
            assertThat(r.err.strip()).doesNotContain("\n").startsWith("pgkb fail: cannot serve metrics on --metrics-port " + taken.getLocalPort());
        }
    }

    @Test
    void errorLinesNeverShowThePasswordOfTheUrl() {
        CommandLine cl = Main.commandLine();
        Run r = run("fail", "--with", "checked", "--pg", "postgresql://alice:s3cret-pw@db:5432/app");
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).doesNotContain("s3cret-pw");
    }
}
