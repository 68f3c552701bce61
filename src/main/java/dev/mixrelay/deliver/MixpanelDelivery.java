package dev.mixrelay.deliver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Vert.x {@link Delivery}: all state lives on one event-loop context; callers on any thread
 * hand over serialised records, and each destination gets its own {@link DestinationSender}.
 */
final class MixpanelDelivery implements Delivery {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final Context context;
  private final WebClient web;
  private final DeadLetterWriter deadLetters;
  private final DeliveryListener listener;
  private final Clock clock;
  private final Map<String, DestinationSender> senders = new ConcurrentHashMap<>();
  private final Set<Ticket> unfinished = new LinkedHashSet<>();
  private final Promise<Void> closed = Promise.promise();
  private volatile boolean closing;
  private boolean stopped;
  private long deadlineTimer = -1;

  MixpanelDelivery(Vertx vertx, DeadLetterSink sink, DeliveryListener listener, Clock clock) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.listener = listener;
    this.clock = clock;
    this.web = WebClient.create(vertx,
        new WebClientOptions().setKeepAlive(true).setUserAgent("mixrelay")
            .setFollowRedirects(false),
        new PoolOptions().setHttp1MaxSize(256));
    this.deadLetters = new DeadLetterWriter(vertx, context, sink, listener, clock,
        Duration.ofSeconds(1));
  }

  @Override
  public Future<Void> send(DestinationConfig destination, List<MixpanelRecord> records) {
    return send(destination, records, null);
  }

  @Override
  public Future<Void> send(DestinationConfig destination, List<MixpanelRecord> records,
      java.util.function.IntConsumer recordDone) {
    if (closing) {
      return Future.failedFuture(new IllegalStateException("delivery is closed"));
    }
    if (records.isEmpty()) {
      return Future.succeededFuture();
    }
    Ticket ticket = new Ticket(records.size(), recordDone);
    List<Item> items = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      MixpanelRecord record = records.get(i);
      items.add(new Item(record, serialise(record), ticket, i));
    }
    onContext(() -> {
      if (stopped) {
        ticket.fail(new IllegalStateException("delivery is closed"));
        return;
      }
      unfinished.add(ticket);
      ticket.future().onComplete(ar -> finished(ticket));
      sender(destination).add(items);
    });
    return ticket.future();
  }

  @Override
  public DestinationState state(String destination) {
    DestinationSender sender = senders.get(destination);
    return sender == null ? DestinationState.OK : sender.state();
  }

  @Override
  public boolean ready(String destination) {
    DestinationSender sender = senders.get(destination);
    return sender == null || sender.ready();
  }

  @Override
  public Future<Void> close(Duration deadline) {
    onContext(() -> {
      if (deadlineTimer >= 0 || stopped) {
        return;
      }
      closing = true;
      senders.values().forEach(DestinationSender::flush);
      deadlineTimer = vertx.setTimer(Math.max(1, deadline.toMillis()), id -> stop());
      if (unfinished.isEmpty()) {
        stop();
      }
    });
    return closed.future();
  }

  private DestinationSender sender(DestinationConfig destination) {
    return senders.computeIfAbsent(destination.name(), name -> {
      DestinationSender sender = new DestinationSender(destination, vertx,
          new MixpanelClient(vertx, web, destination), deadLetters, listener, clock);
      if (closing) {
        sender.flush();
      }
      return sender;
    });
  }

  private void finished(Ticket ticket) {
    unfinished.remove(ticket);
    if (closing && unfinished.isEmpty()) {
      stop();
    }
  }

  /** Stops everything; sends not finished by now fail and their records stay in the log. */
  private void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    vertx.cancelTimer(deadlineTimer);
    senders.values().forEach(DestinationSender::stop);
    List<Ticket> left = new ArrayList<>(unfinished);
    unfinished.clear();
    IllegalStateException cause = new IllegalStateException(
        "delivery closed before these records were delivered; they stay in the intake log");
    left.forEach(t -> t.fail(cause));
    web.close();
    closed.complete();
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private static byte[] serialise(MixpanelRecord record) {
    try {
      return JSON.writeValueAsBytes(record.body());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("record cannot be written as JSON", e);
    }
  }
}
