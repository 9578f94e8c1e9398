package io.lowbit.demo;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shortened demo with a fixed seed: the FP4 and QAT recipes must stay within the issue's
 * accuracy gaps of the FP32 baseline, and the 8-bit optimizer states within 30% of the
 * 32-bit bytes. One run serves every assertion (training is the expensive part).
 */
class DemoTest {
    static final int EPOCHS = Integer.getInteger("lowbit.demoTest.epochs", 12);
    static Demo.Result result;
    static String printed;
    @TempDir static Path out;

    @BeforeAll
    static void runDemo() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        result = Demo.run(EPOCHS, 1, out, new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        printed = buf.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
    }

    @Test
    void fp4IsWithinOneAndAHalfPointsOfFp32() {
        float gap = result.get("fp32").finalAccuracy() - result.get("fp4").finalAccuracy();
        assertTrue(gap <= 1.5f, "FP4 is " + gap + " points below FP32");
    }

    @Test
    void qatIsWithinTwoPointsOfFp32() {
        float gap = result.get("fp32").finalAccuracy() - result.get("qat").finalAccuracy();
        assertTrue(gap <= 2f, "QAT is " + gap + " points below FP32");
    }

    @Test
    void baselineActuallyLearns() {
        assertTrue(result.get("fp32").finalAccuracy() > 90f, "FP32 baseline accuracy " + result.get("fp32").finalAccuracy());
        assertTrue(result.get("fp32").finalLoss() < result.get("fp32").loss().get(0), "loss did not decrease");
    }

    @Test
    void eightBitStatesUseAtMostThirtyPercentOfThirtyTwoBit() {
        long fp32 = result.get("fp32").stateBytes(), fp4 = result.get("fp4").stateBytes();
        assertTrue(fp4 <= 0.30 * fp32, "8-bit states " + fp4 + " B vs 32-bit " + fp32 + " B");
    }

    @Test
    void printsTheTableAndWritesTheReport() throws Exception {
        assertTrue(printed.contains("recipe") && printed.contains("fp4") && printed.contains("qat"), printed);
        assertTrue(printed.contains("report: "), printed);
        String html = Files.readString(result.report());
        assertTrue(html.contains("<svg") && html.contains("polyline"), "report has no curves");
        assertEquals(3, html.split("<polyline", -1).length - 1 - 3, "one loss and one accuracy curve per recipe");
    }

    @Test
    void sameSeedGivesTheSameNumbers() throws Exception {
        // Two epochs are enough to see any nondeterminism (thread timing, hash order).
        Demo.Result a = Demo.run(2, 7, out.resolve("a"), new PrintStream(new ByteArrayOutputStream()), false);
        Demo.Result b = Demo.run(2, 7, out.resolve("b"), new PrintStream(new ByteArrayOutputStream()), false);
        for (int i = 0; i < 3; i++) {
            assertEquals(a.runs().get(i).loss(), b.runs().get(i).loss(), a.runs().get(i).recipe());
            assertEquals(a.runs().get(i).accuracy(), b.runs().get(i).accuracy(), a.runs().get(i).recipe());
        }
    }
}
