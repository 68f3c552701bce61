package dev.mixrelay.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A deterministic mixed stream for comparing the cluster with a single node: users browse
 * anonymously on a device, log in (identify with both ids), go on with tracks carrying both ids,
 * come back after gaps longer than the session timeout, send server-side events with the userId
 * only, and some log in on a second device; page, screen and group calls are mixed in. Messages
 * are in time order, each user's at least a second apart.
 */
final class ClusterStream {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

  private ClusterStream() {}

  static List<ObjectNode> messages(int users, long seed) {
    Random rnd = new Random(seed);
    List<ObjectNode> out = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      long t = START.toEpochMilli() + rnd.nextInt(3_600) * 1000L;
      String user = "user-" + u;
      String device = "dev-" + u + "-a";
      int n = 0;
      for (int i = 0, k = 2 + rnd.nextInt(4); i < k; i++) {
        out.add(page(u, n++, t, null, device));
        t += (20 + rnd.nextInt(200)) * 1000L;
      }
      out.add(identify(u, n++, t, user, device));
      t += 5_000;
      for (int i = 0, k = 1 + rnd.nextInt(4); i < k; i++) {
        out.add(track(u, n++, t, user, device, "Product Viewed"));
        t += (10 + rnd.nextInt(300)) * 1000L;
      }
      if (rnd.nextInt(3) == 0) {
        out.add(group(u, n++, t, user, device));
        t += 2_000;
      }
      if (rnd.nextBoolean()) {
        t += 45 * 60_000L; // past the 30-minute timeout: a second session
        out.add(track(u, n++, t, user, null, "Invoice Paid")); // server-side: userId only
        t += 30_000;
        out.add(track(u, n++, t, user, device, "Product Viewed"));
        t += 20_000;
      }
      if (rnd.nextInt(3) == 0) {
        String second = "dev-" + u + "-b";
        t += (rnd.nextBoolean() ? 5 : 50) * 60_000L;
        out.add(screen(u, n++, t, null, second));
        t += 40_000;
        out.add(screen(u, n++, t, null, second));
        t += 40_000;
        out.add(track(u, n++, t, user, second, "Logged In"));
        t += 60_000;
        out.add(track(u, n++, t, user, second, "Order Completed"));
      }
    }
    out.sort(Comparator.comparing((ObjectNode m) -> m.get("timestamp").asText())
        .thenComparing(m -> m.get("messageId").asText()));
    return out;
  }

  private static ObjectNode base(String type, int u, int n, long t, String user, String device) {
    ObjectNode m = JSON.createObjectNode().put("type", type).put("messageId", "cs-" + u + "-" + n)
        .put("timestamp", Instant.ofEpochMilli(t).toString());
    if (user != null) {
      m.put("userId", user);
    }
    if (device != null) {
      m.put("anonymousId", device);
    }
    ObjectNode context = m.putObject("context").put("ip", "198.51.100." + (u % 200));
    context.putObject("library").put("name", "analytics-node").put("version", "3.1.0");
    context.putObject("campaign").put("source", u % 2 == 0 ? "newsletter" : "ads");
    return m;
  }

  private static ObjectNode page(int u, int n, long t, String user, String device) {
    ObjectNode m = base("page", u, n, t, user, device).put("name", n % 2 == 0 ? "Home" : "Pricing");
    m.putObject("properties").put("path", "/p" + n);
    return m;
  }

  private static ObjectNode screen(int u, int n, long t, String user, String device) {
    return base("screen", u, n, t, user, device).put("name", "Dashboard");
  }

  private static ObjectNode identify(int u, int n, long t, String user, String device) {
    ObjectNode m = base("identify", u, n, t, user, device);
    m.putObject("traits").put("email", "u" + u + "@example.com").put("plan",
        u % 2 == 0 ? "pro" : "free");
    return m;
  }

  private static ObjectNode track(int u, int n, long t, String user, String device,
      String event) {
    ObjectNode m = base("track", u, n, t, user, device).put("event", event);
    m.putObject("properties").put("n", n).put("revenue", event.equals("Order Completed") ? 12 : 0);
    return m;
  }

  private static ObjectNode group(int u, int n, long t, String user, String device) {
    ObjectNode m = base("group", u, n, t, user, device).put("groupId", "g" + (u % 7));
    m.putObject("traits").put("company_id", "c" + (u % 7)).put("name", "Company " + (u % 7));
    return m;
  }
}
