package dev.mixrelay.imports;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The import's progress: messages done of the total, messages per second and the time left, as one
 * line rewritten in place ({@code \r}) on a terminal, or a plain line every few seconds otherwise.
 */
public final class ProgressLine {
  private final PrintStream out;
  private final boolean terminal;
  private final long total;
  private final long startNanos;
  private final long startDone;
  private final long everyNanos;
  private long lastNanos;
  private int lastWidth;

  public ProgressLine(PrintStream out, boolean terminal, long total, long alreadyDone) {
    this(out, terminal, total, alreadyDone, System.nanoTime());
  }

  /** A line whose rate counts from {@code startNanos} ({@link System#nanoTime}), when it began. */
  public ProgressLine(PrintStream out, boolean terminal, long total, long alreadyDone, long startNanos) {
    this.out = out;
    this.terminal = terminal;
    this.total = total;
    this.startDone = alreadyDone;
    this.startNanos = startNanos;
    this.everyNanos = terminal ? 200_000_000L : 5_000_000_000L;
    this.lastNanos = startNanos;
  }

  /** Shows {@code done} messages if the last line is old enough (or {@code force}). */
  void update(long done, boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastNanos < everyNanos) {
      return;
    }
    lastNanos = now;
    String line = text(done, now);
    if (terminal) {
      String pad = " ".repeat(Math.max(0, lastWidth - line.length()));
      out.print("\r" + line + pad);
      lastWidth = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends the in-place line so what follows starts on a new one. */
  void finish(long done) {
    update(done, true);
    if (terminal) {
      out.println();
    }
  }

  String text(long done, long nowNanos) {
    double seconds = Math.max(1e-3, (nowNanos - startNanos) / 1e9);
    double rate = (done - startDone) / seconds;
    String eta = rate <= 0 ? "--:--" : clock((long) ((total - done) / rate));
    int width = 30;
    int filled = total == 0 ? width : (int) (width * Math.min(1.0, (double) done / total));
    return String.format(Locale.ROOT, "[%s%s] %,d/%,d messages  %,.0f msg/s  ETA %s",
        "#".repeat(filled), ".".repeat(width - filled), done, total, rate, eta);
  }

  private static String clock(long seconds) {
    return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60,
        seconds % 60);
  }
}
