package dev.mixrelay.cli;

import dev.mixrelay.config.RelayConfig;

/** The start-up line describing the effective configuration, secrets masked. */
final class EffectiveConfig {
  private EffectiveConfig() {}

  static String describe(RelayConfig c) {
    StringBuilder sb = new StringBuilder();
    sb.append("server=").append(c.server().host()).append(':').append(c.server().port());
    if (c.engine() == RelayConfig.Engine.kafka) {
      sb.append(" engine=kafka role=").append(c.role())
          .append(" brokers=").append(c.kafka().bootstrapServers())
          .append(" intakeTopic=").append(c.kafka().intakeTopic())
          .append(" partitions=").append(c.kafka().partitions())
          .append(" replicationFactor=").append(c.kafka().replicationFactor());
    } else {
      sb.append(" storage=").append(c.storage().dir()).append(" fsync=").append(c.storage().fsync())
          .append(" maxLogBytes=").append(c.storage().maxLogBytes());
    }
    sb.append(" sources=[");
    c.sources().forEach(s -> sb.append(s.name()).append("->").append(String.join("+", s.destinationNames()))
        .append(s.webhookSecret() == null ? "" : "(signed)").append(' '));
    sb.append("] destinations=[");
    c.destinations().values().forEach(d -> sb.append(d.name()).append(" region=").append(d.region())
        .append(" apiHost=").append(d.apiHost() == null ? "-" : d.apiHost())
        .append(" auth=").append(d.credentials().getClass().getSimpleName())
        .append(" sessions=").append(d.sessions().mode()).append(' '));
    sb.append("] admin=").append(c.admin().enabled() ? "on" : "off");
    return sb.toString();
  }
}
