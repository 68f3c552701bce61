package dev.mixrelay.mock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Notifier;
import dev.mixrelay.mixpanel.Credentials;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mock Mixpanel on WireMock that behaves like Mixpanel where a forwarder can tell: {@code
 * /import} (Basic auth, gzip, JSON array or NDJSON, strict validation with {@code failed_records},
 * 413 past 2000 records or the size limit, de-duplication on (event, distinct_id, time,
 * $insert_id)), {@code /track}, {@code /engage} and {@code /groups}; switchable faults; and queries
 * of what it accepted, in Java and over HTTP under {@code /__mixpanel/}. Thread-safe.
 *
 * <pre>{@code
 * try (MockMixpanel mock = MockMixpanel.builder().credential("secret", "").build().start()) {
 *   String apiHost = mock.baseUrl();          // http://127.0.0.1:PORT
 *   ...
 *   assertThat(mock.events("user-1")).hasSize(3);
 * }
 * }</pre>
 */
public final class MockMixpanel implements AutoCloseable {

  private final MockMixpanelConfig config;
  private final ObjectMapper json = new ObjectMapper();
  private final RecordStore store;
  private final FaultPlan faultPlan = new FaultPlan();
  private final WireMockServer server;

  private MockMixpanel(MockMixpanelConfig config) {
    this.config = config;
    this.store = new RecordStore(config.retainBytes());
    this.faultPlan.set(config.faults());
    IngestHandler ingest = new IngestHandler(config, store, json);
    MockAdminRoutes admin = new MockAdminRoutes(this, store, json);
    MixpanelTransformer transformer = new MixpanelTransformer(ingest, admin, faultPlan, store);
    this.server =
        new WireMockServer(
            options()
                .bindAddress(config.host())
                .port(config.port())
                .http2PlainDisabled(true)
                .disableRequestJournal()
                .stubRequestLoggingDisabled(true)
                .asynchronousResponseEnabled(true)
                .asynchronousResponseThreads(4)
                .containerThreads(24)
                .gzipDisabled(true)
                .notifier(new QuietNotifier())
                .extensions(transformer));
    server.stubFor(
        any(anyUrl()).willReturn(aResponse().withTransformers(MixpanelTransformer.NAME)));
  }

  /** A mock with this configuration, not yet started. */
  public static MockMixpanel create(MockMixpanelConfig config) {
    return new MockMixpanel(config);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts listening; returns this.
   *
   * @throws IllegalStateException when it cannot listen (e.g. the port is taken)
   */
  public MockMixpanel start() {
    try {
      server.start();
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new IllegalStateException(
          "the mock Mixpanel cannot listen on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + root.getMessage(),
          e);
    }
    return this;
  }

  /** Stops listening; what was recorded stays queryable. */
  public void stop() {
    server.stop();
  }

  @Override
  public void close() {
    stop();
  }

  public boolean isRunning() {
    return server.isRunning();
  }

  /** The port it listens on (the chosen one when configured with 0). */
  public int port() {
    return server.port();
  }

  /** {@code http://HOST:PORT} without a trailing slash, for a destination's {@code apiHost}. */
  public String baseUrl() {
    String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
    return "http://" + host + ":" + port();
  }

  public MockMixpanelConfig config() {
    return config;
  }

  /** Every unique event accepted (latest copy of each), in arrival order. */
  public List<MixpanelRecord> events() {
    return events(e -> true);
  }

  /** The unique events of one distinct_id. */
  public List<MixpanelRecord> events(String distinctId) {
    return events(e -> e.distinctId.equals(distinctId));
  }

  /** The unique events of one distinct_id with one name. */
  public List<MixpanelRecord> events(String distinctId, String eventName) {
    return events(e -> e.distinctId.equals(distinctId) && e.event.equals(eventName));
  }

  /** The unique events with this name, of any user. */
  public List<MixpanelRecord> eventsNamed(String eventName) {
    return events(e -> e.event.equals(eventName));
  }

  /** The "Session Start" and "Session End" events, in arrival order. */
  public List<MixpanelRecord> sessions() {
    return events(
        e -> e.event.equals(RecordStore.SESSION_START) || e.event.equals(RecordStore.SESSION_END));
  }

  /** The "Session Start" and "Session End" events of one distinct_id, in arrival order. */
  public List<MixpanelRecord> sessions(String distinctId) {
    return events(
        e ->
            e.distinctId.equals(distinctId)
                && (e.event.equals(RecordStore.SESSION_START)
                    || e.event.equals(RecordStore.SESSION_END)));
  }

  /** Accepted {@code /engage} updates, in arrival order. */
  public List<MixpanelRecord> engageOps() {
    return ops(false, o -> true);
  }

  /** Accepted {@code /engage} updates of one distinct_id. */
  public List<MixpanelRecord> engageOps(String distinctId) {
    return ops(false, o -> o.key().equals(distinctId));
  }

  /** Accepted {@code /groups} updates, in arrival order. */
  public List<MixpanelRecord> groupOps() {
    return ops(true, o -> true);
  }

  /**
   * The user profile of a {@code $distinct_id} after every accepted /engage update, applied in
   * order as Mixpanel does; null when there is none (or it was deleted).
   */
  public ObjectNode profile(String distinctId) {
    return Profiles.apply(bodies(ops(false, o -> o.key().equals(distinctId))));
  }

  /** The group profile of ({@code $group_key}, {@code $group_id}) after every /groups update. */
  public ObjectNode groupProfile(String groupKey, String groupId) {
    return Profiles.apply(
        bodies(ops(true, o -> o.key().equals(groupKey) && groupId.equals(o.groupId()))));
  }

  private static List<com.fasterxml.jackson.databind.JsonNode> bodies(
      List<MixpanelRecord> records) {
    List<com.fasterxml.jackson.databind.JsonNode> out = new ArrayList<>();
    records.forEach(r -> out.add(r.body()));
    return out;
  }

  /** How many distinct {@code $insert_id}s were accepted. */
  public long distinctInsertIds() {
    return store.counts().distinctInsertIds();
  }

  public MockCounts counts() {
    return store.counts();
  }

  /** The faults in force (with the script steps still to come). */
  public Faults faults() {
    return faultPlan.current();
  }

  /** Replaces the faults in force; takes effect for the next request. */
  public void faults(Faults faults) {
    faultPlan.set(faults);
  }

  public void clearFaults() {
    faultPlan.set(Faults.NONE);
  }

  /** Forgets every record and counter and clears the faults. */
  public void reset() {
    store.clear();
    faultPlan.set(Faults.NONE);
  }

  private List<MixpanelRecord> events(Predicate<RecordStore.StoredEvent> filter) {
    List<MixpanelRecord> out = new ArrayList<>();
    for (RecordStore.StoredEvent e : store.events(filter, Integer.MAX_VALUE)) {
      out.add(new MixpanelRecord(Endpoint.IMPORT, object(e.json)));
    }
    return out;
  }

  private List<MixpanelRecord> ops(boolean group, Predicate<RecordStore.StoredOp> filter) {
    List<MixpanelRecord> out = new ArrayList<>();
    for (RecordStore.StoredOp o : store.ops(group, filter, Integer.MAX_VALUE)) {
      out.add(new MixpanelRecord(group ? Endpoint.GROUPS : Endpoint.ENGAGE, object(o.json())));
    }
    return out;
  }

  private ObjectNode object(byte[] bytes) {
    try {
      return (ObjectNode) json.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalStateException("stored records are JSON objects", e);
    }
  }

  /** Builds a {@link MockMixpanel} from {@link MockMixpanelConfig#defaults()}. */
  public static final class Builder {
    private final MockMixpanelConfig defaults = MockMixpanelConfig.defaults();
    private final List<MockMixpanelConfig.Credential> credentials = new ArrayList<>();
    private String host = defaults.host();
    private int port = defaults.port();
    private String projectId = defaults.projectId();
    private String token = defaults.token();
    private int maxRecords = defaults.maxRecords();
    private int maxRequestBytes = defaults.maxRequestBytes();
    private int maxRecordBytes = defaults.maxRecordBytes();
    private long retainBytes = defaults.retainBytes();
    private Clock clock = defaults.clock();
    private Faults faults = defaults.faults();

    private Builder() {}

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Accept this Basic credential on /import (once any is given, only those are accepted). */
    public Builder credential(String user, String password) {
      credentials.add(new MockMixpanelConfig.Credential(user, password));
      return this;
    }

    /**
     * Accept exactly what a destination with these credentials sends: a service account (with its
     * project id required on /import), an API secret or a project token as the Basic user.
     */
    public Builder accept(Credentials credentials) {
      if (credentials instanceof Credentials.ServiceAccount sa) {
        credential(sa.username(), sa.secret());
        if (sa.projectId() != null && !sa.projectId().isBlank()) {
          projectId(sa.projectId());
        }
      } else if (credentials instanceof Credentials.ApiSecret secret) {
        credential(secret.secret(), "");
      } else if (credentials instanceof Credentials.TokenOnly token) {
        credential(token.token(), "");
      }
      return this;
    }

    public Builder projectId(String projectId) {
      this.projectId = projectId;
      return this;
    }

    /** Require this project token on /track, /engage and /groups records. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    public Builder limits(int maxRecords, int maxRequestBytes, int maxRecordBytes) {
      this.maxRecords = maxRecords;
      this.maxRequestBytes = maxRequestBytes;
      this.maxRecordBytes = maxRecordBytes;
      return this;
    }

    public Builder retainBytes(long bytes) {
      this.retainBytes = bytes;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Builder faults(Faults faults) {
      this.faults = faults;
      return this;
    }

    /** The configuration so far, checked by {@link MockMixpanelConfig}. */
    public MockMixpanelConfig config() {
      return new MockMixpanelConfig(host, port, credentials, projectId, token, maxRecords,
          maxRequestBytes, maxRecordBytes, retainBytes, clock, faults);
    }

    /** The mock, not yet started. */
    public MockMixpanel build() {
      return new MockMixpanel(config());
    }
  }

  /** WireMock's notifier: its info lines dropped (per request), its errors to the log at WARN. */
  private static final class QuietNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(MockMixpanel.class);

    @Override
    public void info(String message) {}

    @Override
    public void error(String message) {
      LOG.warn("mock Mixpanel: {}", message);
    }

    @Override
    public void error(String message, Throwable t) {
      LOG.warn("mock Mixpanel: {}", message, t);
    }
  }
}
