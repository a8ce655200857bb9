package io.pgkb.cli;

import io.pgkb.cli.internal.Failure;
import io.pgkb.cli.internal.Logging;
import io.pgkb.cli.internal.MetricsServer;
import io.pgkb.cli.internal.OneLine;
import io.pgkb.cli.internal.Secrets;
import io.pgkb.cli.internal.VersionProvider;
import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.ui.JsonReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code pgkb} command. Options given here (logging, metrics) apply to every subcommand and may be written
 * before or after the subcommand's name. Every way a command can end becomes one line on stderr and an exit
 * code: 0 done, 1 runtime failure, 2 usage or configuration, 3 archive incomplete.
 */
@Command(name = "pgkb",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = "Continuous table-level backup of PostgreSQL through Kafka, with point-in-time restore of chosen tables.",
        footer = {"", "Exit codes: 0 done, 1 runtime failure, 2 usage or configuration error, 3 archive incomplete or corrupt.",
                "Logs go to stderr, command output to stdout. Documentation: README.md"})
public final class Main implements Callable<Integer> {
    /** Option names whose values help name the failing service in an error line. */
    /** Services that run until stopped: they keep the Kafka client's (rate-limited) warnings about unreachable brokers. */
    private static final Set<String> LONG_RUNNING = Set.of("produce", "archive", "quickstart");

    private static final List<String> SERVICE_OPTIONS = List.of("--pg", "--target", "--bootstrap-servers", "--store", "--s3-endpoint");

    @Spec
    CommandSpec spec;

    @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "FORMAT",
            description = "log line format on stderr: ${COMPLETION-CANDIDATES} (default: text)")
    Logging.Format logFormat;

    @Option(names = "--log-level", scope = ScopeType.INHERIT, paramLabel = "LEVEL",
            description = "least severe level logged: ${COMPLETION-CANDIDATES} (default: info); debug adds stack traces")
    Logging.LogLevel logLevel;

    @Option(names = "--metrics-port", scope = ScopeType.INHERIT, paramLabel = "PORT",
            description = "serve Prometheus metrics on http://0.0.0.0:PORT/metrics and liveness on /health (default: off)")
    Integer metricsPort;

    public static void main(String[] args) {
        int code = run(args);
        if (shuttingDown()) {
            // SIGTERM/SIGINT arrived: the JVM is already exiting with the signal's status (143/130). Whatever the
            // command returned was caused by the stop, and System.exit with a non-zero status after the shutdown
            // hooks ran would replace that status (exit 1 for a clean stop).
            return;
        }
        System.exit(code);
    }

    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /** Runs one command line in this JVM and returns its exit code (tests, quickstart). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line, with every subcommand registered; parse against it without running. */
    public static CommandLine commandLine() {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        for (Object sub : Commands.all()) {
            cl.addSubcommand(sub);
        }
        cl.addSubcommand("help", new CommandLine.HelpCommand());
        cl.addSubcommand("generate-completion", new AutoComplete.GenerateCompletion());
        cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(true);
        for (CommandLine sub : cl.getSubcommands().values()) {
            // every subcommand answers --help, whether its author mixed it in or not
            if (sub.getCommandSpec().findOption("--help") == null) {
                sub.getCommandSpec().mixinStandardHelpOptions(true);
            }
            if (sub.getCommandSpec().version().length == 0) {
                sub.getCommandSpec().versionProvider(new VersionProvider()); // `pgkb produce -V` says pgkb's version
            }
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setAbbreviatedOptionsAllowed(false);
        cl.setExecutionStrategy(main::execute);
        cl.setParameterExceptionHandler(main::handleParameterException);
        cl.setExecutionExceptionHandler(main::handleExecutionException);
        return cl;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        spec.commandLine().getErr().println("pgkb: missing command (see pgkb --help)");
        return PgkbException.USAGE;
    }

    private Logging.Format logFormat() {
        return logFormat == null ? Logging.Format.TEXT : logFormat;
    }

    private Logging.LogLevel logLevel() {
        return logLevel == null ? Logging.LogLevel.INFO : logLevel;
    }

    private boolean debug() {
        return logLevel().compareTo(Logging.LogLevel.DEBUG) <= 0;
    }

    /** Logging and metrics are set up once the command line parsed, before the command runs. */
    private int execute(ParseResult parseResult) {
        String command = last(parseResult).commandSpec().name();
        Logging.configure(logFormat(), logLevel(), LONG_RUNNING.contains(command));
        MetricsServer metrics = null;
        try {
            if (metricsPort != null) {
                try {
                    metrics = MetricsServer.start(metricsPort);
                } catch (IOException e) {
                    CommandLine sub = parseResult.subcommand() == null ? spec.commandLine() : last(parseResult).commandSpec().commandLine();
                    throw new CommandLine.ExecutionException(sub, "--metrics-port",
                            new PgkbException.ConfigException("cannot serve metrics on --metrics-port " + metricsPort + ": " + e.getMessage()));
                }
                LoggerFactory.getLogger(Main.class).info("serving metrics port={} paths=/metrics,/health", metrics.port());
            }
            return new CommandLine.RunLast().execute(parseResult);
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
    }

    private static ParseResult last(ParseResult pr) {
        ParseResult p = pr;
        while (p.subcommand() != null) {
            p = p.subcommand();
        }
        return p;
    }

    private int handleParameterException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        ParameterException reported = ex;
        // picocli checks required options before it complains about unknown ones; a typo is the likelier cause
        ParseResult pr = cmd.getParseResult();
        if (!(ex instanceof UnmatchedArgumentException) && pr != null
                && pr.unmatched().stream().anyMatch(a -> a.startsWith("-"))) {
            reported = new UnmatchedArgumentException(cmd, pr.unmatched());
        }
        String msg = OneLine.of(reported.getMessage());
        if (reported instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            msg += "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
        }
        String line = Secrets.mask(name + ": " + msg + " (see " + name + " --help)");
        cmd.getErr().println(line);
        cmd.getErr().flush();
        if (cmd.getCommandSpec().findOption("--json") != null && Arrays.asList(args).contains("--json")) {
            printJson(cmd, PgkbException.USAGE, line.substring(name.length() + 2));
        }
        return PgkbException.USAGE;
    }

    private int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        Failure failure = Failure.of(ex, serviceOptions(parseResult));
        String line = cmd.getCommandSpec().qualifiedName() + ": " + failure.message();
        PrintWriter err = cmd.getErr();
        if (logFormat() == Logging.Format.JSON) {
            Logger log = LoggerFactory.getLogger(cmd.getCommandSpec().userObject() == null ? Main.class : cmd.getCommandSpec().userObject().getClass());
            if (debug()) {
                log.atError().setMessage(line).addKeyValue("exit_code", failure.exitCode()).setCause(ex).log();
            } else {
                log.atError().setMessage(line).addKeyValue("exit_code", failure.exitCode()).log();
            }
        } else {
            err.println(line);
            if (debug()) {
                StringWriter trace = new StringWriter();
                ex.printStackTrace(new PrintWriter(trace));
                err.print(Secrets.mask(trace.toString()));
            }
        }
        err.flush();
        if (last(parseResult).hasMatchedOption("--json")) {
            printJson(cmd, failure.exitCode(), failure.message());
        }
        return failure.exitCode();
    }

    /** With {@code --json} a failure is a JSON document on stdout too, so a job reads one document whatever happened. */
    private static void printJson(CommandLine cmd, int exitCode, String message) {
        cmd.getOut().println(JsonReport.error(cmd.getCommandSpec().name(), exitCode, message));
        cmd.getOut().flush();
    }

    private static Map<String, String> serviceOptions(ParseResult parseResult) {
        Map<String, String> values = new LinkedHashMap<>();
        for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
            for (OptionSpec o : p.matchedOptions()) {
                for (String n : o.names()) {
                    if (SERVICE_OPTIONS.contains(n) && !o.originalStringValues().isEmpty()) {
                        values.put(n, o.originalStringValues().get(o.originalStringValues().size() - 1));
                    }
                }
            }
        }
        return values;
    }
}
