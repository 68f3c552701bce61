package dev.mixrelay.translate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.segment.MessageNormalizer;
import dev.mixrelay.segment.SegmentMessage;
import dev.mixrelay.segment.Validation;
import dev.mixrelay.translate.ProfileView;
import dev.mixrelay.translate.Translation;
import dev.mixrelay.translate.Translator;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Messages/s of {@link Translator#translate} for a realistic analytics.js track (full browser
 * context, ten properties with a nested product list, revenue), rotating over {@code pool}
 * messages with different message ids and users, 8 user agents, and remembered super
 * properties. {@code pool = 128} keeps the messages in the CPU cache, as they are when the
 * pipeline translates a message right after reading it from the log; {@code pool = 4096} makes
 * every message a cache miss (a worst case). Run: see README, "What lands in Mixpanel".
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
@State(Scope.Thread)
public class TranslatorBenchmark {
  private static final String[] USER_AGENTS = {
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        + "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        + "Chrome/119.0.0.0 Safari/537.36 Edg/119.0.2151.97",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        + "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        + "Chrome/120.0.6099.43 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        + "Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        + "CriOS/119.0.6045.169 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/118.0",
  };
  /** Messages rotated over; a power of two. */
  @Param({"128", "4096"})
  public int pool;

  private final Translator translator = new Translator();
  private final DestinationConfig destination = new DestinationConfig("main", "T0KEN", null, null,
      "1234567", null, null, new MixpanelSettings(null, null, null, null, null, null, null, null,
          null, null, null, null, null, null, "web-prod", null, null, null, null), null, null);
  private final ObjectNode remembered = new ObjectMapper().createObjectNode()
      .put("plan", "pro").put("company", "Acme").put("$email", "ada@example.com");
  private final ProfileView profiles = key -> key.startsWith("user-") ? remembered : null;
  private SegmentMessage[] messages;
  private int next;

  @Setup
  public void setUp() throws Exception {
    ObjectMapper json = new ObjectMapper();
    MessageNormalizer normalizer = new MessageNormalizer(() -> "unused");
    if (Integer.bitCount(pool) != 1) {
      throw new IllegalArgumentException("pool must be a power of two, was " + pool);
    }
    messages = new SegmentMessage[pool];
    for (int i = 0; i < pool; i++) {
      String raw = TRACK.formatted("ajs-next-1718000000123-" + i + "-5f0d7a3e-8c1b-4d2a",
          "user-" + (i % 97), "anon-" + i, USER_AGENTS[i % USER_AGENTS.length]);
      Validation v = normalizer.normalize(json.readTree(raw), null, null,
          Instant.parse("2024-06-10T07:33:21Z"));
      messages[i] = ((Validation.Valid) v).message();
    }
  }

  @Benchmark
  public Translation translateAnAnalyticsJsTrack() {
    SegmentMessage m = messages[next];
    next = (next + 1) & (pool - 1);
    return translator.translate(m, destination, profiles);
  }

  private static final String TRACK = """
      {"type":"track","messageId":"%s","userId":"%s","anonymousId":"%s",
       "event":"Order Completed","timestamp":"2024-06-10T07:33:20.123Z",
       "sentAt":"2024-06-10T07:33:20.456Z",
       "properties":{"order_id":"o-50314b8e","affiliation":"Google Store","total":27.50,
         "subtotal":22.50,"revenue":25.00,"shipping":3,"tax":2,"discount":2.5,"coupon":"hasbros",
         "currency":"USD","products":[{"product_id":"507f1f77bcf86cd799439011","sku":"45790-32",
         "name":"Monopoly: 3rd Edition","price":19,"quantity":1,"category":"Games"},
         {"product_id":"505bd76785ebb509fc183733","sku":"46493-32","name":"Uno Card Game",
         "price":3,"quantity":2,"category":"Games"}]},
       "context":{"active":true,"ip":"203.0.113.9",
         "library":{"name":"analytics.js","version":"next-1.70.0"},"locale":"en-US",
         "timezone":"Europe/Amsterdam","userAgent":"%s",
         "userAgentData":{"brands":[{"brand":"Chromium","version":"120"}],"mobile":false,
           "platform":"macOS"},
         "page":{"path":"/checkout/complete","referrer":"https://example.com/cart",
           "search":"?utm_source=newsletter","title":"Thanks for your order",
           "url":"https://example.com/checkout/complete?utm_source=newsletter"},
         "campaign":{"name":"spring_sale","source":"newsletter","medium":"email",
           "term":"games","content":"hero"},
         "traits":{"email":"ada@example.com"}},
       "integrations":{"All":true}}
      """;
}
