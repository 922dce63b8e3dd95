package org.rtcsound.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import jakarta.json.JsonValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OdConfigReaderTest {

    private static Map<String, JsonValue> global(String text) throws OdConfigException {
        return OdConfigReader.read("od.config", text.getBytes(StandardCharsets.UTF_8)).global();
    }

    private static String json(String text, String key) throws OdConfigException {
        return global(text).get(key).toString();
    }

    @Test
    void theSeedsSettingsReadAsJson() throws Exception {
        String text = """
                [global]
                webrtc.enable:True
                webrtc.rtc_configuration:{ 'iceServers':[ {'urls':'stun:stun.l.google.com:19302'} ] }
                webrtc.coturn: {
                  'coturn_static_auth_secret': 'CHANGEME',
                  'ttl':3600,
                  'protocol': 'turns',
                  'url': 'turn.domain.local:3478' }
                desktop.envlocal : {
                  'STUN_SERVER': 'stun://stun.l.google.com:19302',
                  }
                """;
        Map<String, JsonValue> global = global(text);
        assertEquals(JsonValue.TRUE, global.get("webrtc.enable"));
        assertEquals("{\"iceServers\":[{\"urls\":\"stun:stun.l.google.com:19302\"}]}",
                global.get("webrtc.rtc_configuration").toString());
        assertEquals("{\"coturn_static_auth_secret\":\"CHANGEME\",\"ttl\":3600,\"protocol\":\"turns\","
                + "\"url\":\"turn.domain.local:3478\"}", global.get("webrtc.coturn").toString());
        assertEquals("{\"STUN_SERVER\":\"stun://stun.l.google.com:19302\"}", global.get("desktop.envlocal").toString());
    }

    @Test
    void theEmbeddedSampleIsValid() throws Exception {
        OdConfig config = OdConfigReader.read("od.config", Files.readAllBytes(Path.of("src/main/resources/od.config")));
        assertEquals(JsonValue.TRUE, config.global().get("webrtc.enable"));
        assertEquals(JsonValue.TRUE, config.global().get("desktop.pod").asJsonObject()
                .getJsonObject("sound").get("enable"));
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("k = 1", "1"),
                Arguments.of("k : -2.5e3", "-2500.0"),
                Arguments.of("k : 0x1F", "31"),
                Arguments.of("k : 1_000", "1000"),
                Arguments.of("k : None", "null"),
                Arguments.of("k : False", "false"),
                Arguments.of("k : 'it''s'", "\"its\""),
                Arguments.of("k : \"say \\\"hi\\\"\\n\"", "\"say \\\"hi\\\"\\n\""),
                Arguments.of("k : 'caf\\xe9 \\u263a'", "\"café ☺\""),
                Arguments.of("k : '''triple 'quoted' '''", "\"triple 'quoted' \""),
                Arguments.of("k : 'a' \"b\"", "\"ab\""),
                Arguments.of("k : (1, 'two', (3,))", "[1,\"two\",[3]]"),
                Arguments.of("k : ()", "[]"),
                Arguments.of("k : (42)", "42"),
                Arguments.of("k : [1, [2, [3, []]], ]", "[1,[2,[3,[]]]]"),
                // Python's dict keeps the first key and the last value of equal keys (1 == True)
                Arguments.of("k : {1: 'one', True: 'yes', 'n': None}", "{\"1\":\"yes\",\"n\":null}"),
                Arguments.of("k : 100%% sure", null),
                Arguments.of("k : '100%%'", "\"100%\""),
                Arguments.of("k : True   # a trailing comment", "true"),
                Arguments.of("k : {\n    'a': 1,   # comment inside\n\n    # a comment line\n    'b': 2 }",
                        "{\"a\":1,\"b\":2}"),
                Arguments.of("k = [\n\t1,\n\t2]", "[1,2]"));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void literalsOfEveryKindAreRead(String line, String expected) throws Exception {
        String text = "[global]\n" + line + "\n";
        if (expected == null) {
            assertThrows(OdConfigException.class, () -> global(text));
        } else {
            assertEquals(expected, json(text, "k"));
        }
    }

    @Test
    void keysKeepTheirCaseCommentsAndOtherSectionsAreKept() throws Exception {
        OdConfig config = OdConfigReader.read("od.config", """
                ; a comment
                # another
                [global]
                Desktop.Name = 'x'
                unknown.key : [1]
                [/img]
                tools.staticdir.on : True
                """.getBytes(StandardCharsets.UTF_8));
        assertEquals("\"x\"", config.global().get("Desktop.Name").toString());
        assertEquals("[1]", config.global().get("unknown.key").toString());
        assertEquals(JsonValue.TRUE, config.sections().get("/img").get("tools.staticdir.on"));
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("unterminated string", "[global]\nk : 'abc\nj : 1\n", "od.config:2:5: in the value of 'k': "
                        + "this string is never closed: expected '"),
                Arguments.of("unterminated dict", "[global]\nk : { 'a': 1,\n    'b': 2\n", "od.config:2:5: in the value of "
                        + "'k': '{' is never closed"),
                Arguments.of("a closing brace not indented", "[global]\nk : {\n  'a': 1\n}\n",
                        "od.config:4:1: expected 'key : value' or 'key = value'"),
                Arguments.of("a line that is no key", "[global]\nk : 1\njust words\n",
                        "od.config:3:1: expected 'key : value' or 'key = value'"),
                Arguments.of("lowercase true", "[global]\nwebrtc.enable : true\n", "od.config:2:17: in the value of "
                        + "'webrtc.enable': 'true' is not a Python literal: write True, False or None"),
                Arguments.of("duplicate key", "[global]\nk : 1\nk : 2\n", "od.config:3:1: key 'k' appears twice"),
                Arguments.of("duplicate section", "[global]\n[global]\n", "od.config:2:1: section [global] appears twice"),
                Arguments.of("a call", "[global]\nk : os.getenv('HOME')\n", "od.config:2:5: in the value of 'k': "
                        + "'os' is a name: rtcsound reads literals only and never evaluates names or calls"),
                Arguments.of("a name", "[global]\nk : [1, HOME]\n", "od.config:2:9: in the value of 'k': 'HOME' is a name"),
                Arguments.of("a name in a further statement", "[global]\nk : 1\n  HOME\n",
                        "od.config:3:3: in the value of 'k': 'HOME' is a name"),
                Arguments.of("a subtraction", "[global]\nk : 2 - 1\n", "od.config:2:7: in the value of 'k': '-' between"
                        + " two values: CherryPy's reader cannot subtract"),
                Arguments.of("a % alone", "[global]\nk : '100%'\n", "od.config:2:9: in the value of 'k': a '%' must be"
                        + " followed by '%' or '('"),
                Arguments.of("interpolation of a missing key", "[global]\nk : '%(x)s'\n", "od.config:2:6: in the value "
                        + "of 'k': %(x)s names no key of [global] or [DEFAULT]"),
                Arguments.of("a key before a section", "k : 1\n", "od.config:1:1: a line before any section"),
                Arguments.of("a byte-order mark", "\uFEFF[global]\nk : 1\n", "od.config:1:1: the file starts with a "
                        + "byte-order mark (BOM)"),
                Arguments.of("nothing after the key on its line", "[global]\nk :\n  1\n", "od.config:2:4: in the "
                        + "value of 'k': nothing follows the key on its own line"),
                Arguments.of("a set", "[global]\nk : {1, 2}\n", "od.config:2:6: in the value of 'k': a set"),
                Arguments.of("a unary plus", "[global]\nk : +1\n", "od.config:2:5: in the value of 'k': a unary '+'"),
                Arguments.of("leading zero", "[global]\nk : 017\n", "od.config:2:5: in the value of 'k': a decimal number "
                        + "with a leading zero"),
                Arguments.of("missing comma", "[global]\nk : [1 2]\n", "od.config:2:8: in the value of 'k': expected ',' "
                        + "or ']', found a number"),
                Arguments.of("an index out of range", "[global]\nk : [1, 2][2]\n", "od.config:2:11: in the value of 'k':"
                        + " list index out of range"),
                Arguments.of("a list as a dict key", "[global]\nk : {[1]: 2}\n", "od.config:2:6: in the value of 'k':"
                        + " a list cannot be a dict key"),
                Arguments.of("a no-break space inside a line", "[global]\nk : [1,\u00a02]\n", "od.config:2:8: in the "
                        + "value of 'k': the character U+00A0 has no place in a Python value"),
                Arguments.of("nested too deep", "[global]\nk : " + "[".repeat(201) + "]".repeat(201) + "\n",
                        "od.config:2:205: in the value of 'k': more than 200 brackets open at once"));
    }

    /** What CherryPy reads, where an earlier reader of ours refused: checked against CherryPy by hand. */
    static Stream<Arguments> readAsCherryPyReadsThem() {
        return Stream.of(
                Arguments.of("an indented first key", "[global]\n  k : 1\n", "1"),
                Arguments.of("an empty value", "[global]\nk :\n", "\"\""),
                Arguments.of("a sum", "[global]\nk : 1 + 1\n", "2"),
                Arguments.of("a repeated string", "[global]\nk : 'ab' * 2\n", "\"abab\""),
                Arguments.of("a subscript", "[global]\nk : {'a': [1, 2]}['a'][-1]\n", "2"),
                Arguments.of("a further statement ignored", "[global]\nk : 1\n  2\n", "1"),
                Arguments.of("a bare tuple", "[global]\nk : 1, 2,\n", "[1,2]"),
                Arguments.of("interpolation", "[DEFAULT]\nhost = 'h'\n[global]\nk : %(host)s\n", "\"h\""),
                Arguments.of("a no-break space ending a continuation line", "[global]\nk : {'a': 1,\u00a0\n  'b': 2}\n",
                        "{\"a\":1,\"b\":2}"),
                Arguments.of("a string continued by a backslash", "[global]\nk : 'a \\\n  b'\n", "\"a b\""),
                Arguments.of("Python 2 string prefixes", "[global]\nk : [u'dock', U\"x\", b'y', rb'\\z']\n",
                        "[\"dock\",\"x\",\"y\",\"\\\\z\"]"),
                Arguments.of("a comment line at column 0 inside a value", "[global]\nk : [1,\n# two\n  2]\n", "[1,2]"),
                Arguments.of("nested deep", "[global]\nk : " + "[".repeat(100) + "]".repeat(100) + "\n",
                        "[".repeat(100) + "]".repeat(100)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readAsCherryPyReadsThem")
    void readsWhatCherryPyReads(String name, String text, String json) throws Exception {
        assertEquals(json, OdConfigReader.read("od.config", text.getBytes(StandardCharsets.UTF_8)).global().get("k")
                .toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void brokenFilesAreRefusedWithLineColumnAndWhatWasExpected(String name, String text, String message) {
        OdConfigException e = assertThrows(OdConfigException.class,
                () -> OdConfigReader.read("od.config", text.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith(message), "got: " + e.getMessage());
    }

    @Test
    void binaryGarbageIsRefusedAsNotText() {
        byte[] garbage = new byte[] {'[', 'g', 'l', 'o', 'b', 'a', 'l', ']', '\n', 'k', ' ', ':', ' ', (byte) 0xC3, 0x28};
        OdConfigException e = assertThrows(OdConfigException.class, () -> OdConfigReader.read("od.config", garbage));
        assertEquals("od.config:2:5: bytes that are not UTF-8: od.config must be UTF-8 text", e.getMessage());
        OdConfigException nul = assertThrows(OdConfigException.class,
                () -> OdConfigReader.read("od.config", "[global]\nk : 1\0\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("od.config:2:6: in the value of 'k': a NUL character: Python source cannot hold one", nul.getMessage());
    }

    @Test
    void aTenMegabyteFileIsRefusedBeforeItIsRead() {
        byte[] big = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) '#');
        OdConfigException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThrows(OdConfigException.class, () -> OdConfigReader.read("od.config", big)));
        assertEquals("od.config:1:1: the file is 10485760 bytes; od.config may be at most 2097152 bytes", e.getMessage());
    }

    /**
     * Generated input: thousands of mutations of a valid file (bytes flipped, inserted,
     * deleted, cut, lines shuffled, random tokens spliced in). The reader must either
     * read each or refuse it with its own error, and never hang.
     */
    @Test
    void mutatedFilesNeverThrowAnythingButARefusalAndNeverHang() throws Exception {
        byte[] seed = Files.readAllBytes(Path.of("src/main/resources/od.config"));
        String[] tokens = {"{", "}", "[", "]", "(", ")", "'", "\"", "'''", ",", ":", "=", "%", "%%", "#", "\\", "\n",
            "\n    ", "True", "None", "os.system(", "1e999", "0x", "-", "\u00e9", "[global]\n", "\0"};
        Random random = new Random(20261124);
        int refused = 0;
        for (int round = 0; round < 5000; round++) {
            byte[] mutated = mutate(seed, tokens, random);
            boolean read = assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
                try {
                    OdConfigReader.read("od.config", mutated);
                    return true;
                } catch (OdConfigException expected) {
                    return false;
                }
            });
            if (!read) {
                refused++;
            }
        }
        assertTrue(refused > 1000, "the mutations should break most files; refused " + refused);
    }

    private static byte[] mutate(byte[] seed, String[] tokens, Random random) {
        StringBuilder text = new StringBuilder(new String(seed, StandardCharsets.ISO_8859_1));
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && text.length() > 0; e++) {
            int at = random.nextInt(text.length());
            switch (random.nextInt(5)) {
                case 0 -> text.setCharAt(at, (char) random.nextInt(256));
                case 1 -> text.insert(at, tokens[random.nextInt(tokens.length)]);
                case 2 -> text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(8)));
                case 3 -> text.setLength(at);
                default -> text.insert(at, tokens[random.nextInt(tokens.length)].repeat(1 + random.nextInt(80)));
            }
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
