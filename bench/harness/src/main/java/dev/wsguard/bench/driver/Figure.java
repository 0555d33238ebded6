package dev.wsguard.bench.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One measured quantity over the rounds of a run: its median and its spread (min to max). */
final class Figure {

    final String unit;
    final List<Double> samples = new ArrayList<>();

    Figure(String unit) {
        this.unit = unit;
    }

    void add(double sample) {
        samples.add(sample);
    }

    double median() {
        List<Double> s = new ArrayList<>(samples);
        s.sort(null);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    double min() {
        return samples.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double max() {
        return samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** {@code median (min–max)}, rounded to what the spread allows. */
    String show() {
        if (samples.isEmpty()) {
            return "n/a";
        }
        if (samples.size() == 1) {
            return num(median());
        }
        return num(median()) + " (" + num(min()) + "–" + num(max()) + ")";
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        return a >= 100 ? String.format(Locale.ROOT, "%,.0f", v)
                : a >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
