package org.rtcsound.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Each benchmark replaces only its own section of docs/benchmarks.md. */
class BenchmarkDocsTest {

    private static final String TWO = """
            # rtcsound benchmarks

            <!-- a:begin -->
            old a
            <!-- a:end -->

            <!-- b:begin -->
            old b
            <!-- b:end -->
            """;

    @Test
    void replacesOnlyItsOwnSection() {
        assertEquals(TWO.replace("old b", "new b\nsecond line"),
                BenchmarkDocs.replaceSection(TWO, "b", "new b\nsecond line\n"));
        assertEquals(TWO.replace("old a", "new a"), BenchmarkDocs.replaceSection(TWO, "a", "new a"));
    }

    @Test
    void addsAMissingSectionAtTheEnd() {
        assertEquals(TWO + "\n<!-- c:begin -->\nc\n<!-- c:end -->\n", BenchmarkDocs.replaceSection(TWO, "c", "c"));
    }
}
