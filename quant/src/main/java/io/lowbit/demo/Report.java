package io.lowbit.demo;

import io.lowbit.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The demo's results as a table (terminal) and an HTML page with SVG curves. */
final class Report {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

    private Report() {}

    static String table(List<Trainer.History> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-6s %10s %10s %14s %11s %8s %8s  %s%n",
                "recipe", "test acc %", "final loss", "optim state B", "s / epoch", "scale fz", "osc fz", "what"));
        for (Trainer.History h : runs) {
            sb.append(String.format(Locale.ROOT, "%-6s %10.2f %10.4f %14d %11.2f %8d %8d  %s%n",
                    h.recipe(), h.finalAccuracy(), h.finalLoss(), h.stateBytes(), h.secondsPerEpoch(),
                    h.scaleFreezes(), h.oscillationFreezes(), h.description()));
        }
        return sb.toString();
    }

    static void writeHtml(Path file, List<Trainer.History> runs, String header) throws IOException {
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>lowbit demo</title>")
            .append("<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}")
            .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
            .append("td:last-child{text-align:left}</style></head><body>")
            .append("<h1>lowbit demo: FP4 and QAT training of an MLP on digits</h1><p>")
            .append(escape(header)).append("</p><table><tr><th>recipe</th><th>test accuracy %</th><th>final loss</th>")
            .append("<th>optimizer state bytes</th><th>s / epoch</th><th>scale freezes</th><th>oscillation freezes</th><th>what</th></tr>");
        for (Trainer.History h : runs) {
            html.append(String.format(Locale.ROOT,
                    "<tr><td>%s</td><td>%.2f</td><td>%.4f</td><td>%d</td><td>%.2f</td><td>%d</td><td>%d</td><td>%s</td></tr>",
                    escape(h.recipe()), h.finalAccuracy(), h.finalLoss(), h.stateBytes(), h.secondsPerEpoch(),
                    h.scaleFreezes(), h.oscillationFreezes(), escape(h.description())));
        }
        html.append("</table><h2>Training loss (log scale)</h2>").append(svg(runs, true))
            .append("<h2>Test accuracy (%)</h2>").append(svg(runs, false)).append("</body></html>\n");
        AtomicFiles.write(file, html.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A line chart of one series per recipe against the epoch, with axes and a legend. Loss is
     * drawn on a log scale (the recipes differ where the loss is small).
     */
    static String svg(List<Trainer.History> runs, boolean loss) {
        int w = 720, h = 320, left = 60, right = 140, top = 20, bottom = 40;
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        int epochs = 1;
        for (Trainer.History r : runs) {
            List<Float> s = loss ? r.loss() : r.accuracy();
            for (float v : s) { min = Math.min(min, plotted(v, loss)); max = Math.max(max, plotted(v, loss)); }
            epochs = Math.max(epochs, s.size());
        }
        if (max - min < 1e-9) max = min + 1;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"12\">", w, h));
        int pw = w - left - right, ph = h - top - bottom;
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>", left, top, pw, ph));
        for (int t = 0; t <= 4; t++) {
            double v = min + (max - min) * t / 4;
            double y = top + ph - ph * t / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>", left - 6, y + 4, loss ? Math.pow(10, v) : v));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, left + pw, y, y));
        }
        for (int t = 0; t < 5 && epochs > 1; t++) {
            int epoch = 1 + (int) Math.round((epochs - 1) * t / 4.0);
            double x = left + pw * (epoch - 1) / (double) (epochs - 1);
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>", x, top + ph + 16, epoch));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch</text>", left + pw / 2, h - 4));
        for (int k = 0; k < runs.size(); k++) {
            List<Float> s = loss ? runs.get(k).loss() : runs.get(k).accuracy();
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < s.size(); i++) {
                double x = left + (epochs == 1 ? pw / 2.0 : pw * i / (double) (epochs - 1));
                double y = top + ph - ph * (plotted(s.get(i), loss) - min) / (max - min);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            String color = COLORS[k % COLORS.length];
            sb.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color).append("\" points=\"").append(pts).append("\"/>");
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>", left + pw + 10, top + 16 + 18 * k, color, escape(runs.get(k).recipe())));
        }
        return sb.append("</svg>").toString();
    }

    private static double plotted(float v, boolean log) {
        return log ? Math.log10(Math.max(v, 1e-6f)) : v;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
