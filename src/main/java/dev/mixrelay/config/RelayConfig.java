package dev.mixrelay.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The whole, validated configuration of one relay. Immutable. */
public record RelayConfig(
    ServerConfig server,
    StorageConfig storage,
    List<SourceConfig> sources,
    Map<String, DestinationConfig> destinations,
    AdminConfig admin,
    LoggingConfig logging,
    MockConfig mock,
    Engine engine,
    Role role,
    KafkaConfig kafka,
    DedupConfig dedup) {

  /** Where accepted messages are kept and processed. */
  public enum Engine {
    /** One process: the SQLite intake log and the in-process pipeline (the default). */
    embedded,
    /** A cluster on Apache Kafka: intake produces to a topic, processors run Kafka Streams. */
    kafka
  }

  /** What one process of an {@code engine: kafka} cluster does. */
  public enum Role {
    /** HTTP intake only: accepted messages are produced to the intake topic. */
    intake,
    /** Kafka Streams processing and delivery only (health, readiness and metrics over HTTP). */
    processor,
    /** Both in one process. */
    all
  }

  /** The record without the cluster settings: {@code engine: embedded}. */
  public RelayConfig(ServerConfig server, StorageConfig storage, List<SourceConfig> sources,
      Map<String, DestinationConfig> destinations, AdminConfig admin, LoggingConfig logging,
      MockConfig mock) {
    this(server, storage, sources, destinations, admin, logging, mock, null, null, null, null);
  }

  public RelayConfig {
    server = server == null ? ServerConfig.defaults() : server;
    storage = storage == null ? StorageConfig.defaults() : storage;
    List<SourceConfig> namedSources = new ArrayList<>();
    if (sources != null) {
      for (int i = 0; i < sources.size(); i++) {
        SourceConfig s = sources.get(i);
        namedSources.add(s == null || s.name() != null ? s : s.withName("source-" + i));
      }
    }
    sources = java.util.Collections.unmodifiableList(namedSources);
    admin = admin == null ? AdminConfig.defaults() : admin;
    logging = logging == null ? LoggingConfig.defaults() : logging;
    mock = mock == null ? MockConfig.defaults() : mock;
    engine = engine == null ? Engine.embedded : engine;
    role = role == null ? Role.all : role;
    kafka = kafka == null ? KafkaConfig.defaults() : kafka;
    dedup = dedup == null ? DedupConfig.defaults() : dedup;
    Map<String, DestinationConfig> named = new LinkedHashMap<>();
    if (destinations != null) {
      destinations.forEach((k, d) -> named.put(k, d == null ? null : withName(d, k)));
    }
    destinations = java.util.Collections.unmodifiableMap(named);
  }

  private static DestinationConfig withName(DestinationConfig d, String name) {
    return new DestinationConfig(name, d.token(), d.apiSecret(), d.serviceAccount(), d.projectId(),
        d.region(), d.apiHost(), d.settings(), d.sessions(), d.delivery());
  }

  /** The same config with one destination replaced (e.g. its apiHost pointed at the embedded mock). */
  public RelayConfig withDestination(DestinationConfig d) {
    Map<String, DestinationConfig> copy = new LinkedHashMap<>(destinations);
    copy.put(d.name(), d);
    return new RelayConfig(server, storage, sources, copy, admin, logging, mock, engine, role,
        kafka, dedup);
  }

  /** The source for a write key, compared in constant time. */
  public Optional<SourceConfig> sourceForWriteKey(String writeKey) {
    if (writeKey == null) {
      return Optional.empty();
    }
    SourceConfig found = null;
    byte[] given = writeKey.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (SourceConfig s : sources) {
      byte[] key = s.writeKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      if (java.security.MessageDigest.isEqual(given, key) && found == null) {
        found = s;
      }
    }
    return Optional.ofNullable(found);
  }

  /** Every rule broken, one line each; empty when the config is valid. */
  public List<String> problems() {
    List<String> errors = new ArrayList<>();
    Checks c = new Checks(errors);
    server.check("server", c);
    storage.check("storage", c);
    admin.check("admin", c);
    logging.check("logging", c);
    mock.check("mock", c);
    dedup.check("dedup", c);
    if (engine == Engine.kafka) {
      kafka.check("kafka", c);
    } else if (role != Role.all) {
      c.add("role " + role + " needs engine: kafka (engine is " + engine + ")");
    }
    if (sources.isEmpty()) {
      c.add("sources must list at least one source (writeKey, destination)");
    }
    java.util.Set<String> keys = new java.util.HashSet<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < sources.size(); i++) {
      SourceConfig s = sources.get(i);
      String p = "sources[" + i + "]";
      if (s == null) {
        c.add(p + " must not be empty");
        continue;
      }
      s.check(p, c);
      if (s.writeKey() != null && !keys.add(s.writeKey())) {
        c.add(p + ".writeKey is the same as an earlier source's");
      }
      if (s.name() != null && !names.add(s.name())) {
        c.add(p + ".name '" + s.name() + "' is used by an earlier source");
      }
      for (String d : s.destinationNames()) {
        if (!destinations.containsKey(d)) {
          c.add(p + ".destination names '" + d + "', which is not under destinations");
        }
      }
    }
    if (destinations.isEmpty()) {
      c.add("destinations must name at least one Mixpanel project");
    }
    destinations.forEach((k, d) -> {
      if (d == null) {
        c.add("destinations." + k + " must not be empty");
      } else {
        d.check("destinations." + k, c);
      }
    });
    return errors;
  }
}
