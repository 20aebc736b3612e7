// Runs records through the real transformation classes on the classpath (Apache Kafka Connect's, Debezium's), the
// way a Connect worker's transformation chain does, and prints what comes out, so transforms.test.ts can compare
// flowscope's chain with them record by record.
//
// stdin: a JSON array of cases {name, config: {transforms, transforms.<a>.*, predicates, predicates.<p>.*},
// records: [{topic, partition?, timestamp?, keySchema?, key?, valueSchema?, value?, headers?: [{key, schema?,
// value}]}]}. Keys, values and headers with a schema are read by JsonConverter from {"schema", "payload"}, without
// one as schemaless JSON. stdout: per case {name, configError} or {name, records: [{dropped} | {topic,
// partition, timestamp, key, value, headers: [{key, value}]} | {error, step}]}, step being where it
// failed: reading the input, in the chain, or writing the output with key/value/headers written by JsonConverter
// (schemas enabled).
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

public class UpstreamTransforms {
    private static final String RESULT_MARKER = "@@transform-results@@";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonConverter WITH_SCHEMAS = converter(true);
    private static final JsonConverter SCHEMALESS = converter(false);

    private record Stage(Transformation<SourceRecord> transformation, Predicate<SourceRecord> predicate, boolean negate) { }

    public static void main(String[] args) throws Exception {
        JsonNode cases = MAPPER.readTree(System.in);
        ArrayNode out = MAPPER.createArrayNode();
        for (JsonNode testCase : cases) {
            ObjectNode result = out.addObject();
            result.put("name", testCase.get("name").asText());
            Map<String, String> config = new HashMap<>();
            testCase.get("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            List<Stage> stages;
            try {
                stages = stages(config);
            } catch (Throwable e) {
                result.put("configError", String.valueOf(e.getMessage()));
                continue;
            }
            ArrayNode records = result.putArray("records");
            for (JsonNode input : testCase.get("records")) {
                String step = "input";
                try {
                    SourceRecord record = toRecord(input);
                    step = "transform";
                    for (Stage stage : stages) {
                        if (record == null) break;
                        if (stage.predicate() != null && stage.predicate().test(record) == stage.negate()) continue;
                        record = stage.transformation().apply(record);
                    }
                    step = "output";
                    if (record == null) records.addObject().put("dropped", true);
                    else records.add(fromRecord(record));
                } catch (Throwable e) {
                    ObjectNode error = records.addObject();
                    error.put("error", String.valueOf(e.getMessage()));
                    error.put("step", step);
                }
            }
        }
        System.out.println(RESULT_MARKER + MAPPER.writeValueAsString(out));
    }

    private static JsonConverter converter(boolean schemas) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", String.valueOf(schemas), "converter.type", "value"));
        return converter;
    }

    private static Map<String, String> withPrefix(Map<String, String> config, String prefix) {
        Map<String, String> own = new HashMap<>();
        for (Map.Entry<String, String> e : config.entrySet()) {
            if (e.getKey().startsWith(prefix)) own.put(e.getKey().substring(prefix.length()), e.getValue());
        }
        own.remove("type");
        return own;
    }

    private static List<String> aliases(String text) {
        List<String> out = new ArrayList<>();
        if (text == null || text.isBlank()) return out;
        for (String alias : text.split(",")) out.add(alias.trim());
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Stage> stages(Map<String, String> config) throws Exception {
        List<Stage> stages = new ArrayList<>();
        for (String alias : aliases(config.get("transforms"))) {
            String prefix = "transforms." + alias + ".";
            Map<String, String> own = withPrefix(config, prefix);
            String predicateAlias = own.remove("predicate");
            String negate = own.remove("negate");
            Transformation<SourceRecord> transformation = (Transformation<SourceRecord>) Class
                .forName(config.get(prefix + "type")).getDeclaredConstructor().newInstance();
            transformation.configure(own);
            Predicate<SourceRecord> predicate = null;
            if (predicateAlias != null) {
                String predicatePrefix = "predicates." + predicateAlias + ".";
                predicate = (Predicate<SourceRecord>) Class.forName(config.get(predicatePrefix + "type"))
                    .getDeclaredConstructor().newInstance();
                predicate.configure(withPrefix(config, predicatePrefix));
            }
            stages.add(new Stage(transformation, predicate, Boolean.parseBoolean(negate)));
        }
        return stages;
    }

    private static SchemaAndValue read(String topic, JsonNode record, String schemaField, String valueField) throws Exception {
        if (record.has(schemaField)) {
            ObjectNode envelope = MAPPER.createObjectNode();
            envelope.set("schema", record.get(schemaField));
            envelope.set("payload", record.has(valueField) ? record.get(valueField) : NullNode.getInstance());
            return WITH_SCHEMAS.toConnectData(topic, MAPPER.writeValueAsBytes(envelope));
        }
        if (!record.has(valueField) || record.get(valueField).isNull()) return SchemaAndValue.NULL;
        return SCHEMALESS.toConnectData(topic, MAPPER.writeValueAsBytes(record.get(valueField)));
    }

    private static SourceRecord toRecord(JsonNode input) throws Exception {
        String topic = input.get("topic").asText();
        SchemaAndValue key = read(topic, input, "keySchema", "key");
        SchemaAndValue value = read(topic, input, "valueSchema", "value");
        ConnectHeaders headers = new ConnectHeaders();
        if (input.has("headers")) {
            for (JsonNode header : input.get("headers")) headers.add(header.get("key").asText(), read(topic, header, "schema", "value"));
        }
        Integer partition = input.has("partition") ? input.get("partition").asInt() : null;
        Long timestamp = input.has("timestamp") ? input.get("timestamp").asLong() : null;
        return new SourceRecord(Map.of(), Map.of(), topic, partition, key.schema(), key.value(), value.schema(),
            value.value(), timestamp, headers);
    }

    private static JsonNode written(String topic, org.apache.kafka.connect.data.Schema schema, Object value) throws Exception {
        byte[] bytes = WITH_SCHEMAS.fromConnectData(topic, schema, value);
        return bytes == null ? NullNode.getInstance() : MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
    }

    private static JsonNode fromRecord(SourceRecord record) throws Exception {
        ObjectNode out = MAPPER.createObjectNode();
        out.put("topic", record.topic());
        if (record.kafkaPartition() != null) out.put("partition", record.kafkaPartition());
        if (record.timestamp() != null) out.put("timestamp", record.timestamp());
        out.set("key", written(record.topic(), record.keySchema(), record.key()));
        out.set("value", written(record.topic(), record.valueSchema(), record.value()));
        ArrayNode headers = out.putArray("headers");
        for (Header header : record.headers()) {
            ObjectNode h = headers.addObject();
            h.put("key", header.key());
            h.set("value", written(record.topic(), header.schema(), header.value()));
        }
        return out;
    }
}
