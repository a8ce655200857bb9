package io.pgkb.schemas.config;

import io.pgkb.schemas.PgkbException;
import io.pgkb.schemas.Topics;
import picocli.CommandLine.Option;

/** {@code --topic-prefix} of every command (a picocli mixin), checked by the one rule of {@link Topics#checkPrefix}. */
public final class TopicPrefixOption {
    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = Topics.DEFAULT_PREFIX,
            description = "Prefix of every topic (<prefix>.<schema>.<table>, <prefix>._schemas, <prefix>._progress), "
                    + "also the archive namespace (default: ${DEFAULT-VALUE})")
    String prefix = Topics.DEFAULT_PREFIX;

    /** The prefix; a ConfigException naming the option (exit 2) when it breaks the rule. */
    public String value() {
        try {
            return Topics.checkPrefix(prefix);
        } catch (IllegalArgumentException e) {
            throw new PgkbException.ConfigException("--topic-prefix: " + e.getMessage());
        }
    }
}
