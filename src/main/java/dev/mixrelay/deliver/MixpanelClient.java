package dev.mixrelay.deliver;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.mixpanel.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP side of one destination: its endpoint URLs, its Authorization header and the request
 * shape (JSON array; gzip on {@code /import}). Bodies are encoded on a worker thread.
 */
final class MixpanelClient {
  private final Vertx vertx;
  private final WebClient web;
  private final Map<Endpoint, String> urls = new EnumMap<>(Endpoint.class);
  private final String authorization;
  private final long timeoutMs;

  MixpanelClient(Vertx vertx, WebClient web, DestinationConfig destination) {
    this.vertx = vertx;
    this.web = web;
    this.authorization = destination.credentials().authorizationHeader();
    this.timeoutMs = destination.delivery().requestTimeout().toMillis();
    for (Endpoint ep : Endpoint.values()) {
      urls.put(ep, url(destination, ep));
    }
  }

  /**
   * The URL of an endpoint: {@code /import?strict=1[&project_id=..]} for events,
   * {@code /engage?strict=1&verbose=1} and {@code /groups?strict=1&verbose=1} for profiles (verbose
   * so that a 200 carries a JSON status that can be checked).
   */
  static String url(DestinationConfig destination, Endpoint endpoint) {
    String base = destination.baseUrl();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    StringBuilder url = new StringBuilder(base).append(endpoint.path())
        .append("?strict=").append(destination.settings().strictMode() ? 1 : 0);
    String projectId = destination.credentials().projectId();
    if (endpoint == Endpoint.IMPORT && projectId != null && !projectId.isBlank()) {
      url.append("&project_id=").append(URLEncoder.encode(projectId, StandardCharsets.UTF_8));
    }
    if (endpoint != Endpoint.IMPORT) {
      url.append("&verbose=1");
    }
    return url.toString();
  }

  Future<HttpResponse<Buffer>> post(Batch batch) {
    Future<Buffer> body = batch.body != null ? Future.succeededFuture(batch.body)
        : vertx.executeBlocking(batch::encode, false);
    return body.compose(b -> {
      HttpRequest<Buffer> request = web.requestAbs(HttpMethod.POST, urls.get(batch.endpoint))
          .putHeader("Authorization", authorization)
          .putHeader("Content-Type", "application/json")
          .timeout(timeoutMs);
      if (batch.endpoint == Endpoint.IMPORT) {
        request.putHeader("Content-Encoding", "gzip");
      }
      return request.sendBuffer(b);
    });
  }

  static boolean isTimeout(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (t instanceof TimeoutException || (message != null && message.contains("timeout"))) {
        return true;
      }
    }
    return false;
  }
}
