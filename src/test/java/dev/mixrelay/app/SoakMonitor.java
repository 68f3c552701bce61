package dev.mixrelay.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mixrelay.segment.SegmentJson;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every ten seconds of the soak: the relay's lowest heap after a GC and its peak heap (from its GC
 * log), its RSS
 * ({@code /proc/PID/status}), intake log depth and open sessions ({@code /metrics}), the load's
 * progress and what the mock Mixpanel received. Printed as a table row and appended to
 * {@code report.txt} and {@code samples.csv}.
 */
final class SoakMonitor {
  static final long EVERY_MS = 10_000;
  static final String HEADER = String.format(Locale.ROOT,
      "%6s %4s %11s %7s %8s %7s %8s %8s %7s %9s %8s %8s %11s %11s", "t(s)", "inst", "accepted",
      "ev/s", "503/429", "unreach", "heapGC", "heapPeak", "rss", "logDepth", "sessOpen", "held",
      "mockEvents", "mockDistinct");
  static final String CSV_HEADER = "second,instance,accepted,events_per_s,back_pressure,"
      + "unreachable,heap_after_gc_mb,heap_peak_mb,rss_mb,log_depth,sessions_open,held_events,"
      + "mock_events,"
      + "mock_distinct_insert_ids,loading";

  /** One sample; -1 where the value could not be read (the relay restarting). */
  record Sample(long second, int instance, long accepted, long perSecond, long backPressure,
      long unreachable, double heapAfterGcMb, double heapPeakMb, double rssMb, long logDepth,
      long sessionsOpen, long heldEvents, long mockEvents, long mockDistinct, boolean loading) {

    String row() {
      return String.format(Locale.ROOT,
          "%6d %4d %11d %7d %8d %7d %8s %8s %7s %9s %8s %8s %11s %11s",
          second, instance, accepted, perSecond, backPressure, unreachable, mb(heapAfterGcMb),
          mb(heapPeakMb), mb(rssMb), num(logDepth), num(sessionsOpen), num(heldEvents),
          num(mockEvents),
          num(mockDistinct));
    }

    String csv() {
      return String.join(",", Long.toString(second), Integer.toString(instance),
          Long.toString(accepted), Long.toString(perSecond), Long.toString(backPressure),
          Long.toString(unreachable), Double.toString(heapAfterGcMb), Double.toString(heapPeakMb),
          Double.toString(rssMb), Long.toString(logDepth), Long.toString(sessionsOpen),
          Long.toString(heldEvents),
          Long.toString(mockEvents), Long.toString(mockDistinct), Boolean.toString(loading));
    }

    private static String mb(double v) {
      return v < 0 ? "-" : String.format(Locale.ROOT, "%.0fM", v);
    }

    private static String num(long v) {
      return v < 0 ? "-" : Long.toString(v);
    }
  }

  /** A relay process and its GC log. */
  private record Instance(int number, Process process, GcLog gc) {}

  private final Vertx vertx;
  private final Clock clock;
  private final long start;
  private final long loadEnd;
  private final int relayPort;
  private final int mockPort;
  private final SoakLoad load;
  private final Path report;
  private final Path csv;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
      .build();
  private final List<Sample> samples = new ArrayList<>();
  private volatile Instance relay;
  private long timer = -1;
  private long lastAccepted;

  SoakMonitor(Vertx vertx, Clock clock, long start, long loadEnd, int relayPort, int mockPort,
      SoakLoad load, Path dir) {
    this.vertx = vertx;
    this.clock = clock;
    this.start = start;
    this.loadEnd = loadEnd;
    this.relayPort = relayPort;
    this.mockPort = mockPort;
    this.load = load;
    this.report = dir.resolve("report.txt");
    this.csv = dir.resolve("samples.csv");
  }

  /** The relay process being watched from now on. */
  void relay(int number, Process process, Path gcLog) {
    relay = new Instance(number, process, new GcLog(gcLog));
  }

  void start() throws IOException {
    line(HEADER);
    Files.writeString(csv, CSV_HEADER + "\n");
    timer = vertx.setPeriodic(EVERY_MS, t -> vertx.executeBlocking(() -> {
      sample();
      return null;
    }));
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Prints a line and appends it to the report. */
  synchronized void line(String text) throws IOException {
    System.out.println(text);
    System.out.flush();
    Files.writeString(report, text + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private void sample() throws IOException {
    Instance r = relay;
    long now = clock.millis();
    double[] heap = r.gc().poll();
    double rss = r.process().isAlive() ? rssMb(r.process().pid()) : -1;
    String metrics = get(relayPort, "/metrics");
    JsonNode counts = mockCounts();
    long accepted = load.acceptedMessages.get();
    Sample s = new Sample((now - start) / 1000, r.number(), accepted,
        (accepted - lastAccepted) * 1000 / EVERY_MS, load.backPressure.get(),
        load.unreachable.get(), heap[0], heap[1], rss,
        metric(metrics, "mixrelay_intake_log_messages"), metric(metrics, "mixrelay_sessions_open"),
        metric(metrics, "mixrelay_sessions_held_events"),
        counts == null ? -1 : counts.path("events").asLong(),
        counts == null ? -1 : counts.path("distinctInsertIds").asLong(), now <= loadEnd);
    lastAccepted = accepted;
    synchronized (this) {
      samples.add(s);
      line(s.row());
      Files.writeString(csv, s.csv() + "\n", StandardOpenOption.APPEND);
    }
  }

  /** The relay's /metrics text or null, and the value of the first series of a metric. */
  String relayMetrics() {
    return get(relayPort, "/metrics");
  }

  static long metric(String metrics, String name) {
    if (metrics == null) {
      return -1;
    }
    for (String l : metrics.split("\n")) {
      if (l.startsWith(name + " ") || l.startsWith(name + "{")) {
        return (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  /** The mock's /__mixpanel/counts, or null when it does not answer. */
  JsonNode mockCounts() {
    String body = get(mockPort, "/__mixpanel/counts");
    try {
      return body == null ? null : SegmentJson.MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private String get(int port, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static double rssMb(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * Reads a HotSpot {@code -Xlog:gc} file as it grows. Each young or full pause line ends in
   * {@code BEFORE->AFTER(CAPACITY)} (remark and cleanup pauses, which move nothing, are left out);
   * {@link #poll} answers the lowest heap after a collection since the last poll (else the latest
   * one before) and the highest heap before one since the last poll, in MB (-1 for none yet).
   */
  static final class GcLog {
    private static final Pattern PAUSE = Pattern.compile(
        "Pause (?:Young|Full).*?(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
    private final Path file;
    private long position;
    private String partial = "";
    private double after = -1;

    GcLog(Path file) {
      this.file = file;
    }

    double[] poll() {
      double peak = -1;
      double lowest = Double.MAX_VALUE;
      for (String l : newLines()) {
        Matcher m = PAUSE.matcher(l);
        if (m.find()) {
          peak = Math.max(peak, mb(m.group(1), m.group(2)));
          after = mb(m.group(3), m.group(4));
          lowest = Math.min(lowest, after);
        }
      }
      return new double[] {peak < 0 ? after : lowest, peak};
    }

    private List<String> newLines() {
      if (!Files.exists(file)) {
        return List.of();
      }
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
        byte[] bytes = new byte[(int) Math.max(0, f.length() - position)];
        f.seek(position);
        f.readFully(bytes);
        position += bytes.length;
        String text = partial + new String(bytes, StandardCharsets.UTF_8);
        int cut = text.lastIndexOf('\n') + 1;
        partial = text.substring(cut);
        return cut == 0 ? List.of() : List.of(text.substring(0, cut).split("\n"));
      } catch (IOException e) {
        return List.of();
      }
    }

    private static double mb(String n, String unit) {
      double v = Double.parseDouble(n);
      return unit.equals("K") ? v / 1024 : unit.equals("G") ? v * 1024 : v;
    }
  }
}
