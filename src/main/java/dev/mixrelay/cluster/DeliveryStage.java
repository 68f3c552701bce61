package dev.mixrelay.cluster;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.deliver.Delivery;
import dev.mixrelay.mixpanel.Endpoint;
import dev.mixrelay.mixpanel.MixpanelRecord;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery stage: plain Kafka consumers (their own group, {@code read_committed}, no
 * auto-commit), each on its own thread, that read the outgoing topic and hand its records to
 * {@link Delivery}. Contract: a partition's offset is committed only up to records that are done
 * (Mixpanel accepted them, or they were dead-lettered); on a rebalance a consumer waits (up to
 * 5 s) for what is with delivery and commits what is done; a partition it gets back goes on after
 * what it still sends, the rest of one that moves is read again by its next owner; while
 * more than {@value #MAX_OUTSTANDING} records are with delivery, its partitions are paused. A
 * crash therefore re-sends what was not committed: events carry deterministic {@code $insert_id}s
 * that Mixpanel de-duplicates; each profile or group operation Mixpanel took is marked durably
 * ({@link DeliveredMarks}) before its offset commits, and the marks of a partition are read back
 * when it is assigned, so those are not sent again. The only repeat left is an operation whose
 * request Mixpanel took in the moment before a crash, its mark not yet written.
 */
final class DeliveryStage {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryStage.class);
  static final long MAX_OUTSTANDING = 50_000;
  private static final Duration POLL = Duration.ofMillis(50);
  /** How long a rebalance waits for what is with delivery before giving the partitions up. */
  private static final Duration REVOKE_WAIT = Duration.ofSeconds(5);

  private final Map<String, DestinationConfig> destinations;
  private final Delivery delivery;
  private final DeliveredMarks marks;
  private final List<Worker> workers = new ArrayList<>();
  private final AtomicLong resendsAvoided = new AtomicLong();

  /**
   * @param consumerProps the consumers' client settings (bootstrap servers, security); the stage
   *     sets group, isolation, commits and deserialisers
   */
  DeliveryStage(Properties consumerProps, String groupId, String topic,
      Map<String, DestinationConfig> destinations, Delivery delivery, DeliveredMarks marks,
      int threads) {
    this.destinations = destinations;
    this.delivery = delivery;
    this.marks = marks;
    for (int i = 0; i < threads; i++) {
      Properties p = new Properties();
      p.putAll(consumerProps);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
      p.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + i);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
      workers.add(new Worker(new KafkaConsumer<>(p, new StringDeserializer(),
          new ByteArrayDeserializer()), topic, groupId + "-" + i));
    }
  }

  void start() {
    workers.forEach(w -> w.thread.start());
  }

  /** True while every consumer polls (one that failed or stopped is not replaced). */
  boolean running() {
    return workers.stream().allMatch(w -> w.running && w.thread.isAlive());
  }

  /** Operations not sent again because their marks said Mixpanel had them, since start. */
  long resendsAvoided() {
    return resendsAvoided.get();
  }

  /** Records handed to delivery and not yet done, over all consumers. */
  long outstanding() {
    return workers.stream().mapToLong(w -> w.outstanding.get()).sum();
  }

  /**
   * Stops polling, waits up to {@code deadline} for what is with delivery, commits what is done
   * and closes the consumers. Blocks: call it off the event loop.
   */
  void close(Duration deadline) {
    workers.forEach(Worker::stop);
    long until = System.nanoTime() + deadline.toNanos();
    for (Worker w : workers) {
      try {
        w.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One poll's records of a partition set: done once every send made of them is. */
  private static final class Batch {
    final Map<TopicPartition, Long> next = new HashMap<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final List<CompletableFuture<Void>> marked = new ArrayList<>();
    int records;
  }

  /** Where a Mixpanel record came from: its outgoing record and its index in that record. */
  private record Origin(TopicPartition tp, long offset, int index) {}

  private final class Worker implements Runnable, ConsumerRebalanceListener {
    final KafkaConsumer<String, byte[]> consumer;
    final String topic;
    final Thread thread;
    final ArrayDeque<Batch> pending = new ArrayDeque<>();
    final AtomicLong outstanding = new AtomicLong();
    /** Marked operations of the assigned partitions' uncommitted records (guarded by itself). */
    final Map<TopicPartition, java.util.TreeMap<Long, java.util.BitSet>> marked = new HashMap<>();
    /** Revoked partitions with records still with delivery: the offset after the last one. */
    final Map<TopicPartition, Long> held = new HashMap<>();
    volatile boolean running = true;
    boolean paused;

    Worker(KafkaConsumer<String, byte[]> consumer, String topic, String name) {
      this.consumer = consumer;
      this.topic = topic;
      this.thread = new Thread(this, name);
    }

    void stop() {
      running = false;
      consumer.wakeup();
    }

    @Override
    public void run() {
      try {
        consumer.subscribe(List.of(topic), this);
        while (running) {
          ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
          if (!records.isEmpty()) {
            send(records);
          }
          commitDone();
          boolean full = outstanding.get() > MAX_OUTSTANDING;
          if (full != paused) {
            if (full) {
              consumer.pause(consumer.assignment());
            } else {
              consumer.resume(consumer.paused());
            }
            paused = full;
          }
        }
      } catch (WakeupException e) {
        // stop() was called
      } catch (RuntimeException e) {
        LOG.error("the delivery consumer {} failed; what it had not committed is read again by"
            + " the next owner of its partitions", thread.getName(), e);
      } finally {
        finish();
      }
    }

    /** Hands one poll's records to delivery, one send per destination. */
    private void send(ConsumerRecords<String, byte[]> records) {
      Map<String, List<MixpanelRecord>> byDest = new LinkedHashMap<>();
      Map<String, List<Origin>> origins = new HashMap<>();
      Batch batch = new Batch();
      int skipped = 0;
      for (ConsumerRecord<String, byte[]> r : records) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        batch.next.merge(tp, r.offset() + 1, Math::max);
        String dest = r.key() == null ? "" : Keys.destination(r.key());
        if (!destinations.containsKey(dest)) {
          LOG.warn("an outgoing record for the unknown destination '{}' is dropped", dest);
          continue;
        }
        try {
          List<MixpanelRecord> decoded = Outgoing.decode(r.value());
          java.util.BitSet done = markedOf(tp, r.offset());
          List<MixpanelRecord> list = byDest.computeIfAbsent(dest, d -> new ArrayList<>());
          List<Origin> from = origins.computeIfAbsent(dest, d -> new ArrayList<>());
          for (int i = 0; i < decoded.size(); i++) {
            if (done != null && done.get(i) && decoded.get(i).endpoint() != Endpoint.IMPORT) {
              skipped++;
              continue;
            }
            list.add(decoded.get(i));
            from.add(new Origin(tp, r.offset(), i));
          }
        } catch (IllegalArgumentException e) {
          LOG.warn("an unreadable outgoing record at {}-{}@{} is dropped: {}", r.topic(),
              r.partition(), r.offset(), e.getMessage());
        }
      }
      if (skipped > 0) {
        // only after a partition moved or a restart: rare, so told at INFO
        resendsAvoided.addAndGet(skipped);
        LOG.info("{} operations Mixpanel already took were not sent again (delivery marks)",
            skipped);
      }
      List<Future<Void>> sends = new ArrayList<>();
      byDest.forEach((dest, list) -> {
        if (list.isEmpty()) {
          return;
        }
        batch.records += list.size();
        List<Origin> from = origins.get(dest);
        sends.add(delivery.send(destinations.get(dest), list, i -> {
          if (list.get(i).endpoint() != Endpoint.IMPORT) {
            Origin o = from.get(i);
            synchronized (batch.marked) {
              batch.marked.add(marks.mark(o.tp(), o.offset(), o.index()));
            }
            synchronized (marked) {
              marked.computeIfAbsent(o.tp(), x -> new java.util.TreeMap<>())
                  .computeIfAbsent(o.offset(), x -> new java.util.BitSet()).set(o.index());
            }
          }
        }));
      });
      outstanding.addAndGet(batch.records);
      pending.add(batch);
      Future.all(sends).onComplete(ar -> {
        CompletableFuture<?>[] acks;
        synchronized (batch.marked) {
          acks = batch.marked.toArray(CompletableFuture[]::new);
        }
        // the offsets commit only once the marks of what Mixpanel took are on the brokers
        CompletableFuture.allOf(acks).whenComplete((v, e) -> {
          outstanding.addAndGet(-batch.records);
          if (ar.succeeded()) {
            batch.done.complete(null);
          } else {
            batch.done.completeExceptionally(ar.cause());
          }
        });
      });
    }

    private java.util.BitSet markedOf(TopicPartition tp, long offset) {
      synchronized (marked) {
        java.util.TreeMap<Long, java.util.BitSet> m = marked.get(tp);
        return m == null ? null : m.get(offset);
      }
    }

    /** Commits the offsets of the done batches at the head of the queue. */
    private void commitDone() {
      Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
      while (!pending.isEmpty() && pending.peek().done.isDone()) {
        Batch b = pending.poll();
        if (b.done.isCompletedExceptionally()) {
          // delivery is closed: nothing after this may be committed
          running = false;
          pending.clear();
          break;
        }
        b.next.forEach((tp, next) -> commit.put(tp, new OffsetAndMetadata(next)));
      }
      if (!commit.isEmpty()) {
        consumer.commitSync(commit);
        synchronized (marked) {
          commit.forEach((tp, next) -> {
            java.util.TreeMap<Long, java.util.BitSet> m = marked.get(tp);
            if (m != null) {
              var head = m.headMap(next.offset());
              head.forEach((offset, indexes) -> marks.forget(tp, offset, indexes));
              head.clear();
            }
          });
        }
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      if (!revoked.isEmpty() && running) {
        // what is with delivery finishes (bounded) and commits, so another owner does not send
        // it a second time while this one still is
        awaitPending(REVOKE_WAIT);
      }
      commitDone();
      // a partition that comes back to this consumer in the same rebalance (all of them, with
      // the eager protocol) goes on after what is still with delivery; see onPartitionsAssigned
      held.clear();
      for (Batch b : pending) {
        b.next.forEach((tp, next) -> {
          if (revoked.contains(tp)) {
            held.merge(tp, next, Math::max);
          }
        });
      }
      synchronized (marked) {
        marked.keySet().removeAll(Set.copyOf(revoked));
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      Set<TopicPartition> gone = new java.util.HashSet<>(held.keySet());
      gone.removeAll(assigned);
      for (Batch b : pending) {
        b.next.keySet().removeAll(gone); // their next owner reads them again
      }
      held.forEach((tp, next) -> {
        if (assigned.contains(tp)) {
          consumer.seek(tp, next); // not read twice: what this consumer still sends commits later
        }
      });
      held.clear();
      // what Mixpanel took of these partitions' uncommitted records, before any is polled
      var loaded = marks.load(assigned, consumer.committed(Set.copyOf(assigned)));
      synchronized (marked) {
        marked.putAll(loaded);
      }
      if (paused) {
        consumer.pause(assigned);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      Set<TopicPartition> gone = Set.copyOf(lost);
      for (Batch b : pending) {
        b.next.keySet().removeAll(gone);
      }
      synchronized (marked) {
        marked.keySet().removeAll(gone);
      }
    }

    private void awaitPending(Duration max) {
      if (pending.isEmpty()) {
        return;
      }
      try {
        CompletableFuture.allOf(pending.stream().map(b -> b.done).toArray(
            CompletableFuture[]::new)).get(max.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.info("the delivery consumer {} gives up partitions with {} records not done; they are"
            + " read again", thread.getName(), outstanding.get());
      }
    }

    /** On stop: waits for what is with delivery (bounded), commits it, closes the consumer. */
    private void finish() {
      try {
        if (!pending.isEmpty()) {
          CompletableFuture.allOf(pending.stream().map(b -> b.done).toArray(
              CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        LOG.info("the delivery consumer {} stops with {} records not done; they are read again",
            thread.getName(), outstanding.get());
      }
      try {
        commitDone();
      } catch (RuntimeException e) {
        LOG.warn("the delivery consumer {} could not commit at stop: {}", thread.getName(),
            e.getMessage());
      }
      consumer.close(Duration.ofSeconds(5));
    }
  }
}
