package dev.mixrelay.deliver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.mixrelay.mixpanel.Endpoint;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * Mixpanel stood in for by WireMock on a random loopback port: every request is decoded
 * (gunzipped when gzipped), recorded, and answered by a swappable {@link Behaviour}.
 */
final class FakeMixpanel implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as the mock saw it, with the status it answered (0 for a reset). */
  record Call(Endpoint endpoint, String url, String authorization, String contentEncoding,
      List<JsonNode> records, int status) {}

  /** How the mock answers; {@code n} counts requests from 0. */
  @FunctionalInterface
  interface Behaviour {
    Reply answer(Endpoint endpoint, List<JsonNode> records, int n);
  }

  /** A reply: status and body, optional headers, a delay, or a connection reset. */
  record Reply(int status, String body, Map<String, String> headers, int delayMs, boolean reset) {
    static Reply ok() {
      return new Reply(200, "{\"code\":200,\"status\":\"OK\"}", Map.of(), 0, false);
    }

    static Reply status(int status, String body) {
      return new Reply(status, body, Map.of(), 0, false);
    }

    static Reply connectionReset() {
      return new Reply(0, "", Map.of(), 0, true);
    }

    Reply withHeader(String name, String value) {
      return new Reply(status, body, Map.of(name, value), delayMs, reset);
    }

    Reply delayed(int ms) {
      return new Reply(status, body, headers, ms, reset);
    }
  }

  private final WireMockServer server;
  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private final AtomicInteger count = new AtomicInteger();
  private final boolean record;
  private volatile Behaviour behaviour = (ep, records, n) -> Reply.ok();

  FakeMixpanel() {
    this(true);
  }

  /** With {@code record} false bodies are not decoded and only requests are counted (benchmarks). */
  FakeMixpanel(boolean record) {
    this.record = record;
    server = new WireMockServer(WireMockConfiguration.wireMockConfig()
        .bindAddress("127.0.0.1").dynamicPort().disableRequestJournal()
        .containerThreads(64).asynchronousResponseEnabled(true).asynchronousResponseThreads(16)
        .extensions(new Transformer()));
    server.start();
    server.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  /** Forgets every call and answers 200 again. */
  void reset() {
    calls.clear();
    count.set(0);
    behaviour = (ep, records, n) -> Reply.ok();
  }

  void behave(Behaviour behaviour) {
    this.behaviour = behaviour;
  }

  List<Call> calls() {
    return new ArrayList<>(calls);
  }

  int requestCount() {
    return count.get();
  }

  /** Records of the given endpoint in requests answered 200. */
  List<JsonNode> accepted(Endpoint endpoint) {
    List<JsonNode> out = new ArrayList<>();
    for (Call c : calls) {
      if (c.endpoint() == endpoint && c.status() == 200) {
        out.addAll(c.records());
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.stop();
  }

  private final class Transformer implements ResponseDefinitionTransformerV2 {
    @Override
    public String getName() {
      return "fake-mixpanel";
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      Request request = event.getRequest();
      String url = request.getUrl();
      Endpoint endpoint = url.startsWith("/import") ? Endpoint.IMPORT
          : url.startsWith("/engage") ? Endpoint.ENGAGE : Endpoint.GROUPS;
      List<JsonNode> records = record ? decode(request.getBody()) : List.of();
      Reply reply = behaviour.answer(endpoint, records, count.getAndIncrement());
      if (record) {
        calls.add(new Call(endpoint, url, request.getHeader("Authorization"),
            request.containsHeader("Content-Encoding") ? request.getHeader("Content-Encoding") : null,
            records, reply.reset() ? 0 : reply.status()));
      }
      ResponseDefinitionBuilder response = ResponseDefinitionBuilder.responseDefinition();
      if (reply.reset()) {
        return response.withFault(Fault.CONNECTION_RESET_BY_PEER).build();
      }
      response.withStatus(reply.status()).withBody(reply.body());
      reply.headers().forEach(response::withHeader);
      if (reply.delayMs() > 0) {
        response.withFixedDelay(reply.delayMs());
      }
      return response.build();
    }
  }

  private static List<JsonNode> decode(byte[] body) {
    try {
      byte[] raw = body;
      if (body.length > 2 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
          raw = in.readAllBytes();
        }
      }
      List<JsonNode> out = new ArrayList<>();
      JSON.readTree(raw).forEach(out::add);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
