package dev.mixrelay.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.segment.SegmentJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Live-like Segment traffic for the soak test, the same for the same seed, rate and start: a pool
 * of people who come in visits (web pages or mobile screens, tracks, an identify in their first
 * visit for most, now and then a purchase or a group call) separated by idle gaps longer than the
 * one-minute session timeout. Message {@code i} is due at {@code start + i * 1000 / rate}; each
 * person's timestamps strictly increase, so sessions do not depend on arrival order within the
 * sessionizer's allowed lateness.
 */
final class SoakTraffic {
  static final int BATCH = 100;
  /** People per event/s of rate: a visit is ~22 events over ~45 s, then ~195 s idle. */
  static final double PEOPLE_PER_RATE = 11.5;
  static final long MIN_GAP_MS = 200;
  static final long MAX_GAP_MS = 4000;
  static final long MIN_IDLE_MS = 90_000;
  static final long MAX_IDLE_MS = 300_000;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String[] PAGES = {"Home", "Pricing", "Docs", "Blog", "Features", "Search",
      "Product", "Cart"};
  private static final String[] SCREENS = {"Feed", "Search", "Product", "Cart", "Settings"};
  private static final String[] TRACKS = {"Product Viewed", "Product Viewed", "Product Added",
      "Products Searched", "Video Played", "Signed In", "Checkout Started"};
  private static final String[] PLANS = {"free", "team", "business"};
  private static final String[] COMPANIES = {"Acme", "Globex", "Initech", "Umbrella", "Hooli"};
  private static final String[] AGENTS = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          + "Chrome/126.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          + "Version/17.5 Safari/605.1.15",
      "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
          + "Gecko) Version/17.5 Mobile/15E148 Safari/604.1"};

  /** One /v1/batch request: its index, body and when it is due (its last message's time). */
  record Batch(long index, byte[] body, long dueMillis) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private static final class Person {
    final int id;
    final String anonymousId;
    final String userId;
    final boolean mobile;
    final int identifyAt;
    final String ip;
    final String agent;
    boolean identified;
    int events;
    int leftInVisit;
    long nextAt;
    long lastTs = Long.MIN_VALUE;

    Person(int id, SplittableRandom r, long nextAt) {
      this.id = id;
      this.anonymousId = new UUID(r.nextLong(), r.nextLong()).toString();
      this.userId = "soak-user-" + id;
      this.mobile = r.nextInt(100) < 30;
      this.identifyAt = r.nextInt(100) < 70 ? 1 + r.nextInt(4) : -1;
      this.ip = "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
      this.agent = AGENTS[r.nextInt(AGENTS.length)];
      this.nextAt = nextAt;
    }
  }

  private final long seed;
  private final int rate;
  private final long start;
  private final SplittableRandom random;
  private final PriorityQueue<Person> people = new PriorityQueue<>(
      Comparator.comparingLong((Person p) -> p.nextAt).thenComparingInt(p -> p.id));
  private long messages;
  private long batches;

  SoakTraffic(long seed, int rate, long startMillis) {
    if (rate < 1) {
      throw new IllegalArgumentException("rate must be at least 1 event/s, was " + rate);
    }
    this.seed = seed;
    this.rate = rate;
    this.start = startMillis;
    this.random = new SplittableRandom(seed);
    int pool = Math.max(50, (int) Math.round(rate * PEOPLE_PER_RATE));
    long spread = MIN_IDLE_MS + MAX_IDLE_MS / 2;
    for (int i = 0; i < pool; i++) {
      Person p = new Person(i, random, startMillis + (long) (random.nextDouble() * spread));
      p.leftInVisit = visitLength();
      people.add(p);
    }
  }

  /** When the batch with this index is due: the time of its last message. */
  long dueMillis(long batchIndex) {
    return timeOf(batchIndex * BATCH + BATCH - 1);
  }

  /** How many batches were made so far. */
  long batches() {
    return batches;
  }

  /** How many people send. */
  int people() {
    return people.size();
  }

  /** The next batch of {@link #BATCH} messages. */
  Batch next() {
    ObjectNode body = JSON.objectNode();
    ArrayNode batch = body.putArray("batch");
    for (int i = 0; i < BATCH; i++) {
      batch.add(message(messages++));
    }
    try {
      long index = batches++;
      return new Batch(index, SegmentJson.MAPPER.writeValueAsBytes(body), dueMillis(index));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a generated batch is always serialisable", e);
    }
  }

  private long timeOf(long messageIndex) {
    return start + messageIndex * 1000 / rate;
  }

  private ObjectNode message(long n) {
    Person p = people.poll();
    long ts = Math.max(timeOf(n), p.lastTs + 1);
    ObjectNode m = JSON.objectNode();
    m.put("messageId", new UUID(seed, n).toString());
    m.put("timestamp", Instant.ofEpochMilli(ts).toString());
    m.put("anonymousId", p.anonymousId);
    ObjectNode context = context(p, m);
    int r = random.nextInt(100);
    if (!p.identified && p.events == p.identifyAt) {
      identify(p, m);
    } else if (p.identified && r < 1) {
      group(p, m);
    } else if (r < 25) {
      page(p, m, context);
    } else {
      track(p, m, r);
    }
    if (p.identified) {
      m.put("userId", p.userId);
    }
    p.events++;
    p.lastTs = ts;
    if (--p.leftInVisit > 0) {
      p.nextAt = ts + MIN_GAP_MS + random.nextLong(MAX_GAP_MS - MIN_GAP_MS);
    } else {
      p.leftInVisit = visitLength();
      p.nextAt = ts + MIN_IDLE_MS + random.nextLong(MAX_IDLE_MS - MIN_IDLE_MS);
    }
    people.add(p);
    return m;
  }

  private int visitLength() {
    return 5 + random.nextInt(36);
  }

  private ObjectNode context(Person p, ObjectNode m) {
    ObjectNode c = m.putObject("context");
    c.put("ip", p.ip);
    c.put("locale", "en-US");
    if (p.mobile) {
      c.putObject("library").put("name", "analytics-ios").put("version", "4.1.8");
      c.putObject("app").put("name", "Soak").put("version", "3.2.1").put("build", "321");
      c.putObject("device").put("manufacturer", "Apple").put("model", "iPhone15,2")
          .put("type", "ios");
      c.putObject("os").put("name", "iOS").put("version", "17.5");
      c.putObject("network").put("wifi", p.id % 2 == 0);
      c.putObject("screen").put("width", 393).put("height", 852);
    } else {
      c.putObject("library").put("name", "analytics.js").put("version", "5.2.0");
      c.put("userAgent", p.agent);
    }
    if (p.leftInVisit > 0 && p.events % 7 == 0) {
      c.putObject("campaign").put("name", "autumn").put("source", "newsletter")
          .put("medium", "email");
    }
    return c;
  }

  private void identify(Person p, ObjectNode m) {
    m.put("type", "identify");
    m.putObject("traits").put("email", p.userId + "@example.com")
        .put("name", "Soak User " + p.id).put("plan", PLANS[p.id % PLANS.length])
        .put("createdAt", Instant.ofEpochMilli(1_700_000_000_000L + p.id * 1000L).toString());
    p.identified = true;
  }

  private void group(Person p, ObjectNode m) {
    int k = p.id % COMPANIES.length;
    m.put("type", "group");
    m.put("groupId", "company-" + k);
    m.putObject("traits").put("company_id", "company-" + k).put("name", COMPANIES[k])
        .put("employees", 10 + k * 40);
  }

  private void page(Person p, ObjectNode m, ObjectNode context) {
    if (p.mobile) {
      m.put("type", "screen");
      m.put("name", SCREENS[random.nextInt(SCREENS.length)]);
      return;
    }
    String name = PAGES[random.nextInt(PAGES.length)];
    String path = "/" + name.toLowerCase(java.util.Locale.ROOT);
    m.put("type", "page");
    m.put("name", name);
    m.putObject("properties").put("path", path).put("url", "https://shop.example.com" + path)
        .put("title", name + " | Example Shop").put("referrer", "https://www.google.com/");
    context.putObject("page").put("path", path).put("url", "https://shop.example.com" + path)
        .put("title", name + " | Example Shop");
  }

  private void track(Person p, ObjectNode m, int r) {
    m.put("type", "track");
    if (r >= 97) {
      m.put("event", "Order Completed");
      ObjectNode props = m.putObject("properties");
      props.put("order_id", "order-" + p.id + "-" + p.events).put("currency", "USD")
          .put("revenue", 10 + random.nextInt(19_000) / 100.0);
      props.putArray("products").addObject().put("product_id", "sku-" + random.nextInt(500))
          .put("quantity", 1 + random.nextInt(3));
      return;
    }
    String event = TRACKS[random.nextInt(TRACKS.length)];
    m.put("event", event);
    m.putObject("properties").put("product_id", "sku-" + random.nextInt(500))
        .put("category", PAGES[random.nextInt(PAGES.length)]).put("price", 5 + random.nextInt(95))
        .put("position", random.nextInt(20));
  }
}
