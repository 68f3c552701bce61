package dev.mixrelay.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A generated day of Segment traffic for the demo, the same for the same seed, users and day:
 * anonymous browsing (page calls), sign-ups (track + identify with email, name and plan), logins
 * on a second device (a new anonymousId identified to the known userId), mobile screen calls,
 * purchases with revenue, group calls with a company, aliases, a few messages opted out of
 * Mixpanel and a few malformed ones intake must reject. Messages come in timestamp order.
 */
public final class DemoTraffic {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final long SECOND = 1000;
  private static final long DAY = 86_400 * SECOND;
  private static final String[] PAGES = {"Home", "Pricing", "Docs", "Blog", "Features", "Careers",
      "Changelog", "Integrations"};
  private static final String[] SCREENS = {"Feed", "Search", "Product", "Cart", "Settings",
      "Profile"};
  private static final String[] PRODUCTS = {"Starter Kit", "Field Notes", "Sensor Pack",
      "Gift Card", "Travel Mug"};
  private static final String[] PLANS = {"free", "team", "business"};
  private static final String[] COMPANIES = {"Acme", "Globex", "Initech", "Umbrella", "Hooli",
      "Stark Industries", "Wayne Enterprises", "Tyrell"};
  private static final String[] FIRST = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken",
      "Radia", "Donald", "Frances", "John"};
  private static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov",
      "Thompson", "Perlman", "Knuth", "Allen", "Backus"};

  /** One message and its timestamp (for ordering). */
  public record Message(long time, long seq, ObjectNode json) {}

  /** The messages, in timestamp order, and how many were made malformed on purpose. */
  public record Day(List<Message> messages, int malformed) {}

  private final SplittableRandom random;
  private final long seed;
  private final long dayStart;
  private final List<Message> out = new ArrayList<>();
  private long seq;

  private DemoTraffic(long seed, long dayStart) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.dayStart = dayStart;
  }

  /** The traffic of {@code users} users over the UTC day starting at {@code dayStart}. */
  public static Day generate(long seed, int users, Instant dayStart) {
    DemoTraffic t = new DemoTraffic(seed, dayStart.toEpochMilli());
    for (int u = 0; u < users; u++) {
      t.user(u);
    }
    int malformed = t.malformed(Math.max(4, users / 200));
    t.out.sort(Comparator.comparingLong(Message::time).thenComparingLong(Message::seq));
    return new Day(List.copyOf(t.out), malformed);
  }

  /** A device a user sends from. */
  private record Device(String anonymousId, boolean mobile, boolean ios, int n) {}

  private void user(int u) {
    Device first = device(u, 0);
    String userId = "user-" + u;
    boolean existing = random.nextInt(100) < 30;
    boolean signsUp = !existing && random.nextInt(100) < 35;
    int visits = 1 + random.nextInt(3);
    int signUpVisit = random.nextInt(visits);
    boolean secondDevice = (existing || signsUp) && random.nextInt(100) < 25;
    long[] starts = new long[visits + (secondDevice ? 1 : 0)];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = dayStart + (long) (random.nextDouble() * (DAY - 3 * 3600 * SECOND));
    }
    java.util.Arrays.sort(starts);
    boolean known = false;
    for (int v = 0; v < visits; v++) {
      long t = starts[v];
      if (existing && v == 0) {
        t = identify(t, first, userId, traits(u, false), true);
        known = true;
      }
      t = browse(t, first, known ? userId : null, 3 + random.nextInt(8));
      if (signsUp && v == signUpVisit) {
        t = signUp(t, first, userId, u);
        known = true;
      }
      if (known) {
        t = customer(t, first, userId, u);
      }
    }
    if (secondDevice) {
      Device other = device(u, 1);
      long t = identify(starts[visits], other, userId, JSON.objectNode(), false);
      t = browse(t, other, userId, 2 + random.nextInt(6));
      customer(t, other, userId, u);
    }
  }

  private Device device(int u, int n) {
    int kind = random.nextInt(100);
    String anon = "anon-" + Long.toHexString(seed) + "-" + u + "-" + n + "-"
        + Integer.toHexString(random.nextInt(1 << 24));
    return new Device(anon, kind >= 70, kind >= 85, n);
  }

  /** Anonymous or logged-in browsing: page calls on the web, screen calls in the app. */
  private long browse(long t, Device d, String userId, int events) {
    for (int i = 0; i < events; i++) {
      if (d.mobile) {
        ObjectNode m = base("screen", t, d, userId).put("name", pick(SCREENS));
        m.putObject("properties").put("variant", random.nextBoolean() ? "a" : "b");
      } else {
        String name = pick(PAGES);
        String path = "/" + name.toLowerCase(java.util.Locale.ROOT);
        ObjectNode m = base("page", t, d, userId).put("name", name);
        m.putObject("properties").put("path", path).put("url", "https://shop.example.com" + path)
            .put("title", name + " - Example").put("referrer", "https://www.google.com/");
      }
      if (random.nextInt(100) < 25) {
        t += gap();
        ObjectNode m = base("track", t, d, userId).put("event", "Product Viewed");
        m.putObject("properties").put("product", pick(PRODUCTS)).put("price", price());
        if (random.nextInt(100) < 2) {
          m.putObject("integrations").put("Mixpanel", false);
        }
      }
      t += gap();
    }
    return t;
  }

  private long signUp(long t, Device d, String userId, int u) {
    ObjectNode track = base("track", t, d, userId).put("event", "Signed Up");
    track.putObject("properties").put("method", random.nextBoolean() ? "email" : "google");
    t = identify(t + SECOND, d, userId, traits(u, true), true);
    if (random.nextInt(100) < 10) {
      base("alias", t + SECOND, d, userId).put("previousId", d.anonymousId);
      t += SECOND;
    }
    return t + gap();
  }

  private long customer(long t, Device d, String userId, int u) {
    if (random.nextInt(100) < 20) {
      ObjectNode m = base("track", t, d, userId).put("event", "Order Completed");
      int items = 1 + random.nextInt(3);
      double revenue = 0;
      ArrayNode products = m.putObject("properties").putArray("products");
      for (int i = 0; i < items; i++) {
        double price = price();
        revenue += price;
        products.addObject().put("name", pick(PRODUCTS)).put("price", price).put("quantity", 1);
      }
      ((ObjectNode) m.get("properties")).put("revenue", Math.round(revenue * 100) / 100.0)
          .put("currency", "USD").put("orderId", "order-" + seed + "-" + u + "-" + seq);
      t += gap();
    }
    if (d.n == 0 && random.nextInt(100) < 15) {
      int c = u % COMPANIES.length;
      ObjectNode m = base("group", t, d, userId).put("groupId", "company-" + c);
      m.putObject("traits").put("name", COMPANIES[c]).put("company", COMPANIES[c])
          .put("company_id", "company-" + c).put("industry", c % 2 == 0 ? "Software" : "Retail")
          .put("employees", 10 + c * 37).put("plan", pick(PLANS));
      t += gap();
    }
    return t;
  }

  private long identify(long t, Device d, String userId, ObjectNode traits, boolean withTraits) {
    ObjectNode m = base("identify", t, d, userId);
    if (withTraits) {
      m.set("traits", traits);
    }
    return t + SECOND;
  }

  private ObjectNode traits(int u, boolean created) {
    String first = FIRST[u % FIRST.length];
    String last = LAST[(u / FIRST.length) % LAST.length];
    ObjectNode traits = JSON.objectNode().put("email", "user" + u + "@example.com")
        .put("name", first + " " + last).put("firstName", first).put("lastName", last)
        .put("plan", pick(PLANS));
    if (created) {
      traits.put("createdAt", Instant.ofEpochMilli(dayStart).toString());
    }
    return traits;
  }

  /** Messages intake must refuse: no event name, no id at all, a bad timestamp, an unknown type. */
  private int malformed(int count) {
    for (int i = 0; i < count; i++) {
      long t = dayStart + (long) (random.nextDouble() * (DAY - 3600 * SECOND));
      Device d = new Device("anon-broken-" + i, false, false, 0);
      switch (i % 4) {
        case 0 -> base("track", t, d, null).putObject("properties").put("oops", true);
        case 1 -> base("identify", t, d, null).remove("anonymousId");
        case 2 -> base("track", t, d, null).put("event", "Clicked").put("timestamp", "yesterday-ish");
        default -> base("bogus", t, d, null);
      }
    }
    return count;
  }

  private ObjectNode base(String type, long time, Device d, String userId) {
    ObjectNode m = JSON.objectNode().put("type", type)
        .put("messageId", "demo-" + seed + "-" + seq)
        .put("timestamp", Instant.ofEpochMilli(time).toString())
        .put("anonymousId", d.anonymousId);
    if (userId != null) {
      m.put("userId", userId);
    }
    m.set("context", context(d));
    out.add(new Message(time, seq++, m));
    return m;
  }

  private ObjectNode context(Device d) {
    ObjectNode c = JSON.objectNode();
    int h = Math.abs(d.anonymousId.hashCode());
    c.put("ip", "203.0." + (h % 250) + "." + (1 + (h / 250) % 250));
    c.put("locale", "en-US");
    if (!d.mobile) {
      c.put("userAgent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15"
          + " (KHTML, like Gecko) Version/17.1 Safari/605.1.15");
      c.putObject("library").put("name", "analytics.js").put("version", "2.11.1");
      c.putObject("campaign").put("name", "autumn").put("source", "newsletter");
    } else {
      c.putObject("app").put("name", "Example Shop").put("version", "4.2.0").put("build", "420");
      ObjectNode device = c.putObject("device");
      device.put("type", d.ios ? "ios" : "android").put("manufacturer", d.ios ? "Apple" : "Google")
          .put("model", d.ios ? "iPhone15,2" : "Pixel 8");
      c.putObject("os").put("name", d.ios ? "iOS" : "Android").put("version", d.ios ? "17.1" : "14");
      c.putObject("library").put("name", d.ios ? "analytics-ios" : "analytics-android")
          .put("version", "4.1.8");
      c.putObject("network").put("wifi", h % 2 == 0).put("carrier", "Example Mobile");
      c.putObject("screen").put("width", 1179).put("height", 2556);
    }
    return c;
  }

  private long gap() {
    return 15 * SECOND + (long) (random.nextDouble() * 240 * SECOND);
  }

  private double price() {
    return 5 + random.nextInt(9500) / 100.0;
  }

  private String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }
}
