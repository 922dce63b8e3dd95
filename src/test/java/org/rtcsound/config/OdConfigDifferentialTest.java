package org.rtcsound.config;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

/**
 * rtcsound reads od.config as abcdesktop's pyos does, with CherryPy
 * ({@code cherrypy.lib.reprconf.Config}), with one deliberate difference: it evaluates no
 * names, calls or attributes, and refuses anything but literals, containers, unary -, + and *,
 * and subscripts. Thousands of generated files (and mutations of them), read by CherryPy, the
 * oracle, and by {@link OdConfigReader#canonical}:
 * <ul>
 * <li>CherryPy reads the file and its values are pure: rtcsound reads the same values;</li>
 * <li>CherryPy reads it only by evaluating something else: rtcsound refuses it;</li>
 * <li>CherryPy refuses it: rtcsound refuses it.</li>
 * </ul>
 * Replay a run with {@code -Drtcsound.odconfig.seed=...}; {@code -Drtcsound.odconfig.files=...}
 * sets how many files.
 */
class OdConfigDifferentialTest {

    private static final int SHOWN = Integer.getInteger("rtcsound.odconfig.shown", 5);
    private static final long RTCSOUND_SECONDS = 5;

    private enum Kind {
        AGREES("agrees"),
        REFUSED_PURE("rtcsound refused a file CherryPy reads (purely)"),
        READ_REFUSED("rtcsound read a file CherryPy refuses"),
        READ_IMPURE("rtcsound read a file CherryPy reads only by evaluating names, calls or other syntax"),
        DIFFERENT("rtcsound read other values than CherryPy"),
        THREW("rtcsound threw something other than OdConfigException");

        final String text;

        Kind(String text) {
            this.text = text;
        }
    }

    private record Outcome(String config, OdConfigException refusal, Throwable other) {
    }

    private record Disagreement(Kind kind, String name, byte[] content, CherryPyOracle.Result cherryPy, Outcome rtcsound) {
    }

    @Test
    void rtcsoundReadsOdConfigAsCherryPyDoesButEvaluatesNothing() throws Exception {
        long seed = Long.getLong("rtcsound.odconfig.seed", System.nanoTime());
        int count = Integer.getInteger("rtcsound.odconfig.files", 4000);
        System.out.println("od.config differential seed: " + seed + " (replay: -Drtcsound.odconfig.seed=" + seed + ")");

        Random random = new Random(seed);
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<byte[]> generated = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] content;
            if (i % 2 == 0 || generated.isEmpty()) {
                content = OdConfigGenerator.generate(random);
                generated.add(content);
            } else {
                content = OdConfigGenerator.mutate(random, generated.get(random.nextInt(generated.size())));
            }
            files.put(String.format("case-%05d.config", i), content);
        }

        long start = System.nanoTime();
        Map<String, CherryPyOracle.Result> oracle = CherryPyOracle.read(files);
        long oracleMillis = (System.nanoTime() - start) / 1_000_000;

        int read = 0;
        int pure = 0;
        int agreements = 0;
        Map<Kind, Integer> byKind = new LinkedHashMap<>();
        List<Disagreement> disagreements = new ArrayList<>();
        String unfinished = null;
        ExecutorService worker = newWorker();
        int timeouts = 0;
        start = System.nanoTime();
        try {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                String name = file.getKey();
                CherryPyOracle.Result cherryPy = oracle.get(name);
                if (cherryPy.ok()) {
                    read++;
                    if (cherryPy.pure()) {
                        pure++;
                    }
                }
                Outcome rtcsound;
                Future<Outcome> future = worker.submit(() -> rtcsound(name, file.getValue()));
                try {
                    rtcsound = future.get(RTCSOUND_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    future.cancel(true);
                    worker.shutdownNow();
                    worker = newWorker();
                    rtcsound = new Outcome(null, null, new TimeoutException("took more than " + RTCSOUND_SECONDS + " s"));
                    timeouts++;
                } catch (ExecutionException e) {
                    rtcsound = new Outcome(null, null, e.getCause());
                }
                Kind kind = judge(cherryPy, rtcsound);
                byKind.merge(kind, 1, Integer::sum);
                if (kind == Kind.AGREES) {
                    agreements++;
                } else {
                    disagreements.add(new Disagreement(kind, name, file.getValue(), cherryPy, rtcsound));
                }
                if (timeouts >= 3) {
                    unfinished = "stopped after " + timeouts + " files on which rtcsound took more than "
                            + RTCSOUND_SECONDS + " s";
                    break;
                }
            }
        } finally {
            worker.shutdownNow();
        }
        long rtcsoundMillis = (System.nanoTime() - start) / 1_000_000;

        String summary = "od.config differential: " + count + " files, read by CherryPy " + read + " (pure " + pure
                + " / impure " + (read - pure) + "), refused " + (count - read) + ", agreements " + agreements
                + ", disagreements " + disagreements.size() + " " + kinds(byKind) + "; CherryPy " + oracleMillis
                + " ms, rtcsound " + rtcsoundMillis + " ms; seed " + seed;
        System.out.println(summary);

        StringBuilder problems = new StringBuilder();
        if (unfinished != null) {
            problems.append(unfinished).append('\n');
        }
        if (read < count * 0.30 || pure < count * 0.20) {
            problems.append("the generator no longer exercises the reader: CherryPy read ").append(read).append(" of ")
                    .append(count).append(" files (at least 30 % expected), ").append(pure)
                    .append(" of them purely (at least 20 % of all files expected)\n");
        }
        if (!disagreements.isEmpty()) {
            problems.append(disagreements.size()).append(" of ").append(count)
                    .append(" files: rtcsound disagrees with CherryPy; the first ")
                    .append(Math.min(SHOWN, disagreements.size())).append(":\n");
            for (Disagreement d : disagreements.subList(0, Math.min(SHOWN, disagreements.size()))) {
                problems.append('\n').append(describe(d));
            }
        }
        if (problems.length() > 0) {
            fail(problems + "\n" + summary + "\nreplay: -Drtcsound.odconfig.seed=" + seed
                    + (count != 4000 ? " -Drtcsound.odconfig.files=" + count : ""));
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "od.config-reader");
            thread.setDaemon(true);
            return thread;
        });
    }

    private static Outcome rtcsound(String name, byte[] content) {
        try {
            return new Outcome(OdConfigReader.canonical(name, content), null, null);
        } catch (OdConfigException e) {
            return new Outcome(null, e, null);
        } catch (Throwable e) { // StackOverflowError too: that is a disagreement, not the end of the test
            return new Outcome(null, null, e);
        }
    }

    private static Kind judge(CherryPyOracle.Result cherryPy, Outcome rtcsound) {
        if (rtcsound.other() != null) {
            return Kind.THREW;
        }
        boolean rtcRead = rtcsound.config() != null;
        if (!cherryPy.ok()) {
            return rtcRead ? Kind.READ_REFUSED : Kind.AGREES;
        }
        if (!cherryPy.pure()) {
            return rtcRead ? Kind.READ_IMPURE : Kind.AGREES;
        }
        if (!rtcRead) {
            return Kind.REFUSED_PURE;
        }
        return rtcsound.config().equals(cherryPy.config()) ? Kind.AGREES : Kind.DIFFERENT;
    }

    private static String kinds(Map<Kind, Integer> byKind) {
        StringBuilder s = new StringBuilder("(");
        for (Map.Entry<Kind, Integer> e : byKind.entrySet()) {
            if (e.getKey() == Kind.AGREES) {
                continue;
            }
            s.append(s.length() > 1 ? ", " : "").append(e.getKey().name().toLowerCase()).append(' ').append(e.getValue());
        }
        return s.append(')').toString();
    }

    // ------------------------------------------------------------------ the report

    private static String describe(Disagreement d) {
        StringBuilder s = new StringBuilder();
        s.append("--- ").append(d.name()).append(": ").append(d.kind().text).append('\n');
        s.append("file (").append(d.content().length).append(" bytes, as a Java string; \\xFF: a byte that is not UTF-8):\n");
        s.append(javaLiteral(d.content())).append('\n');
        CherryPyOracle.Result c = d.cherryPy();
        if (c.ok()) {
            s.append("CherryPy read it").append(c.pure() ? "" : ", but only by evaluating more than literals (impure)")
                    .append(":\n").append(Canonical.pretty(c.config())).append('\n');
        } else {
            s.append("CherryPy refused it: ").append(c.error()).append('\n');
        }
        Outcome r = d.rtcsound();
        if (r.config() != null) {
            s.append("rtcsound read it:\n").append(Canonical.pretty(r.config())).append('\n');
            if (c.ok() && Canonical.pretty(r.config()).equals(Canonical.pretty(c.config()))) {
                s.append("canonical, CherryPy: ").append(c.config()).append('\n');
                s.append("canonical, rtcsound: ").append(r.config()).append('\n');
            }
        } else if (r.refusal() != null) {
            s.append("rtcsound refused it: ").append(r.refusal().getMessage()).append('\n');
        } else {
            s.append("rtcsound threw: ").append(r.other()).append('\n');
            StackTraceElement[] trace = r.other().getStackTrace();
            for (int i = 0; i < Math.min(8, trace.length); i++) {
                s.append("    at ").append(trace[i]).append('\n');
            }
        }
        return s.toString();
    }

    /** The bytes as Java string literals, one per line, so that CR, tabs, U+00A0 and a BOM show. */
    static String javaLiteral(byte[] content) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content);
        CharBuffer chars = CharBuffer.allocate(content.length + 1);
        StringBuilder s = new StringBuilder("    \"");
        while (true) {
            CoderResult result = decoder.decode(in, chars, true);
            chars.flip();
            while (chars.hasRemaining()) {
                char c = chars.get();
                escape(s, c);
                if (c == '\n' && (chars.hasRemaining() || in.hasRemaining())) {
                    s.append("\" +\n    \"");
                }
            }
            chars.clear();
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    s.append(String.format("\\x%02X", in.get() & 0xFF));
                }
                continue;
            }
            if (result.isUnderflow()) {
                break;
            }
        }
        return s.append('"').toString();
    }

    static void escape(StringBuilder s, char c) {
        switch (c) {
            case '\n' -> s.append("\\n");
            case '\r' -> s.append("\\r");
            case '\t' -> s.append("\\t");
            case '\b' -> s.append("\\b");
            case '\f' -> s.append("\\f");
            case '"' -> s.append("\\\"");
            case '\\' -> s.append("\\\\");
            default -> {
                if (c >= 0x20 && c < 0x7F) {
                    s.append(c);
                } else {
                    s.append(String.format("\\u%04X", (int) c));
                }
            }
        }
    }

    /**
     * The canonical form (see cherrypy_oracle.py), made readable: sections and keys on lines,
     * values as Python would write them, strings with Java escapes.
     */
    static final class Canonical {
        private final String text;
        private int at;

        private Canonical(String text) {
            this.text = text;
        }

        static String pretty(String canonical) {
            Canonical c = new Canonical(canonical);
            try {
                return c.config();
            } catch (RuntimeException e) {
                return "  (not in the canonical form at character " + c.at + ") " + canonical;
            }
        }

        private String config() {
            StringBuilder s = new StringBuilder();
            while (at < text.length()) {
                expect('[');
                s.append("  [").append(string()).append("]\n");
                expect(']');
                while (at < text.length() && text.charAt(at) != '[') {
                    s.append("    ").append(string());
                    expect('=');
                    s.append(" = ").append(value()).append('\n');
                    expect(';');
                }
            }
            if (s.length() == 0) {
                return "  (no sections)";
            }
            return s.substring(0, s.length() - 1);
        }

        private void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) {
                throw new IllegalArgumentException("expected " + c);
            }
            at++;
        }

        private String hex(int min) {
            int start = at;
            while (at < text.length() && Character.digit(text.charAt(at), 16) >= 0
                    && !Character.isUpperCase(text.charAt(at))) {
                at++;
            }
            if (at - start < min) {
                throw new IllegalArgumentException("expected hex digits");
            }
            return text.substring(start, at);
        }

        private String string() {
            expect('s');
            String hex = hex(0);
            if (hex.length() % 4 != 0) {
                throw new IllegalArgumentException("a string's hex is not UTF-16");
            }
            StringBuilder s = new StringBuilder("'");
            for (int i = 0; i < hex.length(); i += 4) {
                char c = (char) Integer.parseInt(hex.substring(i, i + 4), 16);
                if (c == '\'') {
                    s.append("\\'");
                } else if (c == '"') {
                    s.append('"');
                } else {
                    escape(s, c);
                }
            }
            return s.append('\'').toString();
        }

        private String dbl() {
            if (text.startsWith("nan", at)) {
                at += 3;
                return "nan";
            }
            String hex = hex(16);
            if (hex.length() != 16) {
                throw new IllegalArgumentException("a float is 16 hex digits");
            }
            double d = Double.longBitsToDouble(Long.parseUnsignedLong(hex, 16));
            return Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : Double.toString(d);
        }

        private String value() {
            if (at >= text.length()) {
                throw new IllegalArgumentException("expected a value");
            }
            char c = text.charAt(at);
            switch (c) {
                case 'N':
                    at++;
                    return "None";
                case 'T':
                    at++;
                    return "True";
                case 'F':
                    at++;
                    return "False";
                case 'E':
                    at++;
                    return "...";
                case 'i': {
                    at++;
                    int start = at;
                    if (at < text.length() && text.charAt(at) == '-') {
                        at++;
                    }
                    while (at < text.length() && Character.isDigit(text.charAt(at))) {
                        at++;
                    }
                    if (at == start) {
                        throw new IllegalArgumentException("expected digits");
                    }
                    return text.substring(start, at);
                }
                case 'f':
                    at++;
                    return dbl();
                case 'c': {
                    at++;
                    String re = dbl();
                    expect(',');
                    return "complex(" + re + ", " + dbl() + ")";
                }
                case 's':
                    return string();
                case 'b': {
                    at++;
                    String hex = hex(0);
                    if (hex.length() % 2 != 0) {
                        throw new IllegalArgumentException("odd bytes");
                    }
                    StringBuilder s = new StringBuilder("b'");
                    for (int i = 0; i < hex.length(); i += 2) {
                        int b = Integer.parseInt(hex.substring(i, i + 2), 16);
                        if (b >= 0x20 && b < 0x7F && b != '\'' && b != '\\') {
                            s.append((char) b);
                        } else {
                            s.append(String.format("\\x%02x", b));
                        }
                    }
                    return s.append('\'').toString();
                }
                case '[':
                    return sequence('[', ']', false);
                case '(':
                    return sequence('(', ')', false);
                case '{':
                    return sequence('{', '}', true);
                case '?': {
                    at++;
                    int start = at;
                    while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
                        at++;
                    }
                    return "<a " + text.substring(start, at) + ">";
                }
                default:
                    throw new IllegalArgumentException("unexpected " + c);
            }
        }

        private String sequence(char open, char close, boolean dict) {
            expect(open);
            StringBuilder s = new StringBuilder().append(open);
            int n = 0;
            while (at < text.length() && text.charAt(at) != close) {
                if (n++ > 0) {
                    expect(',');
                    s.append(", ");
                }
                s.append(value());
                if (dict) {
                    expect(':');
                    s.append(": ").append(value());
                }
            }
            expect(close);
            if (open == '(' && n == 1) {
                s.append(',');
            }
            return s.append(close).toString();
        }
    }
}
