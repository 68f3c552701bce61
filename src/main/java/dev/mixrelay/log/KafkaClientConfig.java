package dev.mixrelay.log;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Settings of the Kafka clients the relay makes, shared by the log and the cluster. */
public final class KafkaClientConfig {
  private KafkaClientConfig() {}

  /**
   * Admin client settings whose requests, calls and connection set-ups end within {@code
   * timeout}, over {@code clientProperties} ({@code kafka.properties}: security and the like).
   */
  public static Map<String, Object> admin(Map<String, String> clientProperties,
      String bootstrapServers, String clientId, Duration timeout) {
    int ms = (int) timeout.toMillis();
    Map<String, Object> config = new HashMap<>(clientProperties);
    config.putAll(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.CLIENT_ID_CONFIG, clientId,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms,
        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, (long) ms));
    return config;
  }
}
