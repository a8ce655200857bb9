package io.pgkb.cli.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks anything that looks like a secret in text bound for a log or the terminal. It is a last line of
 * defence: components should not log secrets in the first place, but a driver's exception message or a
 * URL someone typed may carry one.
 */
public final class Secrets {
    private static final String MASK = "***";

    /** {@code scheme://user:secret@host}: the secret part of a URL's user info. */
    private static final Pattern URL_USER_INFO = Pattern.compile("(://[^:/@\\s\"']*:)[^@/\\s\"']+@");

    /** {@code password=secret}, {@code "password": "secret"}, {@code PGPASSWORD=secret}, SASL JAAS {@code password="secret"}. */
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|secret[_.-]?access[_.-]?key|api[_.-]?key|token)\"?\\s*[=:]\\s*)"
                    + "(\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^\\s&,;\"'}]+)");

    private Secrets() {
    }

    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String s = URL_USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
        return KEY_VALUE.matcher(s).replaceAll(m -> {
            String value = m.group(2);
            String quote = value.startsWith("\"") ? "\"" : value.startsWith("'") ? "'" : "";
            return Matcher.quoteReplacement(m.group(1) + quote + MASK + quote);
        });
    }
}
