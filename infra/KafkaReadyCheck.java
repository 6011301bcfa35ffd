// Readiness probe for infra/infra.sh (run with the JDK source launcher on the Kafka classpath):
//   java -cp '<cache>/kafka-libs/*' infra/KafkaReadyCheck.java <bootstrap> <timeoutSeconds>
// Succeeds once a topic can really be created and produced to (acks=all); then deletes the topic.
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

public class KafkaReadyCheck {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    long deadline = System.currentTimeMillis() + Long.parseLong(args[1]) * 1000L;
    String topic = "_siphon_infra_ready";
    Properties common = new Properties();
    common.put("bootstrap.servers", bootstrap);
    common.put("request.timeout.ms", "5000");
    common.put("default.api.timeout.ms", "10000");
    common.put("reconnect.backoff.max.ms", "500");
    String last = "no attempt";
    for (int attempt = 1; System.currentTimeMillis() < deadline; attempt++) {
      try (Admin admin = Admin.create(common)) {
        try {
          admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
        Properties p = new Properties();
        p.putAll(common);
        p.put("acks", "all");
        p.put("max.block.ms", "10000");
        p.put("delivery.timeout.ms", "15000");
        p.put("linger.ms", "0");
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        RecordMetadata md;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
          md = producer.send(new ProducerRecord<>(topic, "ping", "ping")).get(20, TimeUnit.SECONDS);
        }
        try {
          admin.deleteTopics(List.of(topic)).all().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // best effort; a leftover probe topic is harmless
        }
        System.out.println("kafka ready: created topic " + topic + " and produced to offset " + md.offset());
        System.exit(0);
      } catch (Exception e) {
        Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        last = c.getClass().getSimpleName() + ": " + c.getMessage();
        System.out.println("  kafka not ready yet (attempt " + attempt + "): " + last);
        Thread.sleep(1000);
      }
    }
    System.out.println("kafka not ready before timeout; last error: " + last);
    System.exit(1);
  }
}
