package io.pgkb.schemas.ddl;

/** Reads the one element of a one-element array literal as {@code array_out} prints it ({@code attmissingval}). */
final class ArrayElement {
    private ArrayElement() {
    }

    /**
     * The element's text: {@code {7}} → {@code 7}, {@code {"a \"b\""}} → {@code a "b"}; null for an unquoted NULL.
     * Any text that is not a braced literal is returned as it is.
     */
    static String single(String literal) {
        String s = literal.strip();
        if (s.length() < 2 || s.charAt(0) != '{' || s.charAt(s.length() - 1) != '}') {
            return literal;
        }
        String body = s.substring(1, s.length() - 1);
        if (body.length() >= 2 && body.charAt(0) == '"' && body.charAt(body.length() - 1) == '"') {
            StringBuilder out = new StringBuilder(body.length());
            for (int i = 1; i < body.length() - 1; i++) {
                char c = body.charAt(i);
                if (c == '\\' && i + 1 < body.length() - 1) {
                    c = body.charAt(++i);
                }
                out.append(c);
            }
            return out.toString();
        }
        return "NULL".equalsIgnoreCase(body) ? null : body;
    }
}
