package dev.mixrelay.app;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where this JVM's CPU went over a phase, by stage: each Java thread's CPU time (ThreadMXBean) is
 * shared among the stages its JFR execution samples fall in (the innermost frame of ours decides:
 * {@code ingest}/{@code segment} intake, {@code log} log, {@code translate}/{@code identity}
 * translate, {@code session} sessions, {@code deliver} delivery, ...); a thread with no samples
 * (the SQLite writer is mostly in native code) counts whole for its default stage. What no Java
 * thread accounts for is the JIT compilers', the GC's (Linux's per-thread counters) and the
 * rest of the VM's. Also keeps the top frames.
 */
final class CpuSplit {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final Map<Long, Long> cpuAtStart = threadCpu();
  private final long processCpuAtStart = OS.getProcessCpuTime();
  private final Map<String, Long> vmAtStart = vmThreadNanos();
  private final Recording recording = new Recording();

  /** Starts measuring now. */
  CpuSplit() {
    recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
    recording.enable("jdk.Compilation").withThreshold(Duration.ZERO);
    recording.enable("jdk.Deoptimization");
    recording.start();
  }

  /** The phase's figures. */
  record Result(long processCpuNanos, Map<String, Long> nanosByStage,
      Map<String, Long> nanosByThreadGroup, Map<String, Long> leafFrames,
      Map<String, Long> leafPackages, long samples, String jit) {}

  /** Stops measuring; writes the JFR recording to {@code jfr}. */
  Result stop(Path jfr) throws Exception {
    long processCpu = OS.getProcessCpuTime() - processCpuAtStart;
    Map<Long, Long> end = threadCpu();
    Map<Long, String> names = new HashMap<>();
    for (var info : THREADS.getThreadInfo(end.keySet().stream().mapToLong(Long::longValue)
        .toArray())) {
      if (info != null) {
        names.put(info.getThreadId(), info.getThreadName());
      }
    }
    recording.stop();
    recording.dump(jfr);
    recording.close();
    Map<Long, Map<String, Long>> samplesByThread = new HashMap<>();
    Map<String, Long> leafFrames = new HashMap<>();
    Map<String, Long> leafPackages = new HashMap<>();
    long samples = 0;
    long compilations = 0;
    long compileNanos = 0;
    Map<String, Long> compiled = new HashMap<>();
    Map<String, Long> deopts = new HashMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
      if (e.getEventType().getName().equals("jdk.Compilation")) {
        compilations++;
        compileNanos += e.getDuration().toNanos();
        compiled.merge(e.getValue("method") instanceof jdk.jfr.consumer.RecordedMethod m
            ? m.getType().getName() + "." + m.getName() : "?", e.getDuration().toNanos(),
            Long::sum);
        continue;
      }
      if (e.getEventType().getName().equals("jdk.Deoptimization")) {
        deopts.merge(e.getString("reason") + " " + e.getString("action") + " in "
            + (e.getValue("method") instanceof jdk.jfr.consumer.RecordedMethod m
            ? m.getType().getName() + "." + m.getName() : "?"), 1L, Long::sum);
        continue;
      }
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      long tid = e.getThread("sampledThread").getJavaThreadId();
      String name = e.getThread("sampledThread").getJavaName();
      samplesByThread.computeIfAbsent(tid, t -> new HashMap<>())
          .merge(stage(frames, name), 1L, Long::sum);
      if (!frames.isEmpty()) {
        RecordedFrame leaf = frames.get(0);
        String type = leaf.getMethod().getType().getName();
        leafFrames.merge(type + "." + leaf.getMethod().getName(), 1L, Long::sum);
        leafPackages.merge(packageGroup(type), 1L, Long::sum);
      }
    }
    Map<String, Long> byStage = new TreeMap<>();
    Map<String, Long> byGroup = new TreeMap<>();
    long threadsTotal = 0;
    for (var entry : end.entrySet()) {
      long cpu = entry.getValue() - cpuAtStart.getOrDefault(entry.getKey(), 0L);
      if (cpu <= 0) {
        continue;
      }
      threadsTotal += cpu;
      String name = names.getOrDefault(entry.getKey(), "?");
      byGroup.merge(threadGroup(name), cpu, Long::sum);
      Map<String, Long> split = samplesByThread.get(entry.getKey());
      long n = split == null ? 0 : split.values().stream().mapToLong(Long::longValue).sum();
      if (n == 0) {
        byStage.merge(defaultStage(name), cpu, Long::sum);
      } else {
        split.forEach((stage, k) -> byStage.merge(stage, cpu * k / n, Long::sum));
      }
    }
    // the VM's own threads, from Linux's per-thread counters (10 ms ticks; a compiler thread
    // that ended meanwhile is missed, and counts in "other vm")
    long vm = Math.max(0, processCpu - threadsTotal);
    Map<String, Long> vmEnd = vmThreadNanos();
    long jit = Math.min(vm, Math.max(0, vmEnd.get("jit") - vmAtStart.get("jit")));
    long gc = Math.min(vm - jit, Math.max(0, vmEnd.get("gc") - vmAtStart.get("gc")));
    for (Map<String, Long> m : List.of(byStage, byGroup)) {
      m.put("jvm: jit compilers", jit);
      m.put("jvm: gc", gc);
      m.put("jvm: other vm threads", vm - jit - gc);
    }
    String compiling = String.format(java.util.Locale.ROOT, "%d compilations, %.1f s compiling"
        + " (wall); longest by method (ms): %s; deoptimizations %d, most frequent: %s",
        compilations, compileNanos / 1e9, top(compiled, 8).entrySet().stream()
            .map(x -> x.getKey() + "=" + x.getValue() / 1_000_000).toList(),
        deopts.values().stream().mapToLong(Long::longValue).sum(), top(deopts, 8));
    return new Result(processCpu, byStage, byGroup, top(leafFrames, 25), top(leafPackages, 15),
        samples, compiling);
  }

  /** CPU nanoseconds of the JIT compiler threads and the GC threads (Linux; else zeros). */
  static Map<String, Long> vmThreadNanos() {
    Map<String, Long> nanos = new HashMap<>(Map.of("jit", 0L, "gc", 0L));
    try (var tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = java.nio.file.Files.readString(task.resolve("stat"));
        } catch (java.io.IOException gone) {
          continue;
        }
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
        String kind = comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "jit"
            : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "gc" : null;
        if (kind != null) {
          nanos.merge(kind, ticks * 10_000_000L, Long::sum); // USER_HZ is 100 on Linux
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return nanos;
    }
    return nanos;
  }

  private static Map<Long, Long> threadCpu() {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long t = THREADS.getThreadCpuTime(id);
      if (t >= 0) {
        cpu.put(id, t);
      }
    }
    return cpu;
  }

  /** The stage of one sample: the innermost frame of ours, else the thread's default. */
  static String stage(List<RecordedFrame> frames, String thread) {
    for (RecordedFrame f : frames) {
      String type = f.getMethod().getType().getName();
      if (!type.startsWith("dev.mixrelay.")) {
        continue;
      }
      String pkg = type.substring("dev.mixrelay.".length(), type.indexOf('.', 13));
      switch (pkg) {
        case "ingest", "segment":
          return "intake";
        case "log":
          return "log";
        case "translate", "identity":
          return "translate";
        case "session":
          return "sessions";
        case "deliver", "mixpanel":
          return "delivery";
        case "stage":
          return "stage (own work)";
        case "embedded":
          return "pipeline (reader)";
        default:
          return "other (" + pkg + ")";
      }
    }
    return defaultStage(thread);
  }

  private static String defaultStage(String thread) {
    if (thread.startsWith("mixrelay-log")) {
      return "log";
    }
    if (thread.startsWith("vert.x-eventloop") || thread.startsWith("vert.x-acceptor")) {
      return "http (vert.x, netty: in and out)";
    }
    return "other threads";
  }

  private static String threadGroup(String name) {
    if (name.startsWith("vert.x-eventloop")) {
      return "vert.x event loops";
    }
    if (name.startsWith("vert.x-worker") || name.startsWith("vert.x-internal-blocking")) {
      return "vert.x workers";
    }
    if (name.startsWith("mixrelay-log-writer")) {
      return "log writer";
    }
    if (name.startsWith("mixrelay-log-reader")) {
      return "log reader";
    }
    return "other threads";
  }

  private static String packageGroup(String type) {
    for (String p : new String[] {"com.fasterxml.jackson", "io.netty", "io.vertx", "java.util.zip",
        "org.sqlite", "dev.mixrelay", "java.util", "java.lang", "java.time", "java.nio", "sun.nio",
        "jdk.internal"}) {
      if (type.startsWith(p)) {
        return p;
      }
    }
    int dot = type.lastIndexOf('.');
    return dot < 0 ? type : type.substring(0, dot);
  }

  private static Map<String, Long> top(Map<String, Long> counts, int n) {
    return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(n).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a,
            LinkedHashMap::new));
  }

  /** "name 12.3 µs (45%)" lines, per event. */
  static String perEvent(Map<String, Long> nanos, long events) {
    long total = nanos.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder sb = new StringBuilder();
    nanos.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> sb.append(String.format(Locale.ROOT, "      %-34s %6.2f µs/event  %4.1f%%%n",
            e.getKey(), e.getValue() / 1e3 / events, 100.0 * e.getValue() / Math.max(1, total))));
    return sb.toString();
  }
}
