package dev.mixrelay.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.deliver.DeadLetter;
import dev.mixrelay.deliver.DeadLetterSink;
import dev.mixrelay.segment.SegmentJson;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The dead-letter topic's records: keyed by destination, a JSON value with the endpoint (or
 * {@code segment} for a message the relay could not translate), the record or message, the reason
 * and the time it was given up on.
 */
final class DeadLetters {
  private DeadLetters() {}

  /**
   * A dead letter given up on at {@code time}; the Kafka record is stamped with the wall clock,
   * not an event time, so the topic's retention counts from when it was written.
   */
  static Record<String, byte[]> record(String destination, String endpoint, byte[] json,
      String reason, long time) {
    return new Record<>(destination, value(destination, endpoint,
        new String(json, StandardCharsets.UTF_8), reason, time), System.currentTimeMillis());
  }

  static byte[] value(String destination, String endpoint, String json, String reason,
      long time) {
    ObjectNode n = SegmentJson.MAPPER.createObjectNode().put("destination", destination)
        .put("endpoint", endpoint).put("record", json).put("reason", reason).put("time", time);
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Delivery's sink: each refused record produced to the topic; done once the broker has all. */
  static DeadLetterSink sink(Producer<String, byte[]> producer, String topic) {
    return letters -> {
      if (letters.isEmpty()) {
        return Future.succeededFuture();
      }
      Promise<Void> done = Promise.promise();
      AtomicInteger left = new AtomicInteger(letters.size());
      for (DeadLetter d : letters) {
        producer.send(new ProducerRecord<>(topic, d.destination(), value(d.destination(),
            d.endpoint().path(), d.record(), d.reason(), d.time().toEpochMilli())), (md, e) -> {
              if (e != null) {
                done.tryFail(e);
              } else if (left.decrementAndGet() == 0) {
                done.tryComplete();
              }
            });
      }
      return done.future();
    };
  }

}
