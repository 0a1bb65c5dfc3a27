import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Prints, as JSON, the broker and topic ConfigDefs of the Kafka release on the classpath, read from Kafka's own
 * objects: every key with its type, default, validator, importance and whether it is internal.
 *
 * <p>{@code check} instead reads lines {@code broker key=value} or {@code topic key=value} on stdin and prints, per
 * line, the JSON string of the error Kafka's own parsing and validator raise, or {@code null} when Kafka accepts it.
 *
 * <p>Classes moved between releases (Scala objects in 3.9, Java classes in 4.x), so every lookup is by reflection
 * and tries each known home in turn.
 */
public final class ConfigDefDump {
    private static final String CONFIG_DEF = "org.apache.kafka.common.config.ConfigDef$";
    private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("check")) {
            check(Map.of("broker", brokerKeys(), "topic", topicKeys()));
            return;
        }
        Properties build = new Properties();
        try (InputStream stamp = ConfigDef.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            build.load(stamp);
        }
        Map<String, Object> release = new LinkedHashMap<>();
        release.put("kafka", build.getProperty("version"));
        release.put("commit", build.getProperty("commitId"));
        Map<String, String> modes = dynamicUpdateModes();
        release.put("broker", describe(brokerKeys(), name -> Map.of(), modes));
        Map<String, String> synonyms = topicSynonyms();
        release.put("topic", describe(topicKeys(), name -> synonyms.containsKey(name)
            ? Map.of("serverDefault", synonyms.get(name)) : Map.of(), Map.of()));
        StringBuilder out = new StringBuilder();
        json(out, release);
        OUT.print(out.append('\n'));
    }

    /** The ConfigDef a broker or controller parses server.properties with. */
    static Map<String, ConfigDef.ConfigKey> brokerKeys() throws Exception {
        Object kafkaConfig = staticField("kafka.server.KafkaConfig$", "MODULE$");
        ConfigDef definition = kafkaConfig != null
            ? (ConfigDef) call(kafkaConfig, "configDef")
            : (ConfigDef) staticField("org.apache.kafka.server.config.AbstractKafkaConfig", "CONFIG_DEF");
        return definition.configKeys();
    }

    /** The topic-level ConfigDef (LogConfig's): what a topic's configs are checked against. */
    @SuppressWarnings("unchecked")
    static Map<String, ConfigDef.ConfigKey> topicKeys() throws Exception {
        Class<?> logConfig = Class.forName("org.apache.kafka.storage.internals.log.LogConfig");
        return (Map<String, ConfigDef.ConfigKey>) logConfig.getMethod("configKeys").invoke(null);
    }

    /** Topic key -> the broker key that sets its default (retention.ms -> log.retention.ms). */
    @SuppressWarnings("unchecked")
    static Map<String, String> topicSynonyms() throws Exception {
        Object synonyms = staticField("org.apache.kafka.server.config.ServerTopicConfigSynonyms", "TOPIC_CONFIG_SYNONYMS");
        return synonyms == null ? Map.of() : (Map<String, String>) synonyms;
    }

    /** Dynamic broker key -> "per-broker" or "cluster-wide"; keys not listed are read-only. */
    @SuppressWarnings("unchecked")
    static Map<String, String> dynamicUpdateModes() throws Exception {
        Class<?> java = load("org.apache.kafka.server.config.DynamicBrokerConfig");
        if (java != null && hasMethod(java, "dynamicConfigUpdateModes")) {
            return (Map<String, String>) java.getMethod("dynamicConfigUpdateModes").invoke(null);
        }
        Object scala = staticField("kafka.server.DynamicBrokerConfig$", "MODULE$");
        return scala == null ? Map.of() : (Map<String, String>) call(scala, "dynamicConfigUpdateModes");
    }

    interface Extra {
        Map<String, String> of(String name);
    }

    static Map<String, Object> describe(Map<String, ConfigDef.ConfigKey> keys, Extra extra, Map<String, String> modes)
            throws Exception {
        Map<String, Object> described = new TreeMap<>();
        for (ConfigDef.ConfigKey key : keys.values()) {
            Map<String, Object> entry = new TreeMap<>();
            entry.put("type", key.type.name());
            if (key.hasDefault()) {
                entry.put("default", ConfigDef.convertToString(key.defaultValue, key.type));
            }
            if (key.validator != null) {
                entry.put("validator", validator(key.validator));
            }
            entry.put("importance", key.importance.name().toLowerCase());
            if (key.internalConfig) {
                entry.put("internal", true);
            }
            if (modes.containsKey(key.name)) {
                entry.put("dynamic", modes.get(key.name));
            }
            entry.putAll(extra.of(key.name));
            described.put(key.name, entry);
        }
        return described;
    }

    /** The validator as data where its class is one of ConfigDef's own; otherwise its class and description. */
    static Map<String, Object> validator(ConfigDef.Validator validator) throws Exception {
        Map<String, Object> described = new TreeMap<>();
        String name = validator.getClass().getName();
        switch (name.startsWith(CONFIG_DEF) ? name.substring(CONFIG_DEF.length()) : "") {
            case "Range" -> {
                described.put("kind", "range");
                for (String bound : List.of("min", "max")) {
                    if (field(validator, bound) != null) {
                        described.put(bound, field(validator, bound));
                    }
                }
            }
            case "ValidString" -> {
                described.put("kind", "oneOf");
                described.put("values", field(validator, "validStrings"));
            }
            case "CaseInsensitiveValidString" -> {
                described.put("kind", "oneOfIgnoringCase");
                described.put("values", new TreeSet<>((Collection<?>) field(validator, "validStrings")));
            }
            case "ValidList" -> {
                described.put("kind", "listOf");
                described.put("values", field(field(validator, "validString"), "validStrings"));
                for (String flag : List.of("isEmptyAllowed", "isNullAllowed")) {
                    if (hasField(validator.getClass(), flag)) {
                        described.put(flag.substring(2, 3).toLowerCase() + flag.substring(3), field(validator, flag));
                    }
                }
            }
            case "ListSize" -> {
                described.put("kind", "listSize");
                described.put("max", field(validator, "maxSize"));
            }
            case "NonEmptyString" -> described.put("kind", "nonEmptyString");
            case "NonEmptyStringWithoutControlChars" -> described.put("kind", "nonEmptyStringWithoutControlChars");
            case "NonNullValidator" -> described.put("kind", "nonNull");
            case "CompositeValidator" -> {
                described.put("kind", "all");
                List<Object> parts = new ArrayList<>();
                for (Object part : (List<?>) field(validator, "validators")) {
                    parts.add(validator((ConfigDef.Validator) part));
                }
                described.put("validators", parts);
            }
            default -> {
                described.put("kind", "other");
                described.put("class", stableClassName(validator.getClass()));
                if (declaresToString(validator.getClass())) {
                    described.put("text", validator.toString());
                }
            }
        }
        return described;
    }

    /** A lambda's class name carries a per-run suffix; the class that defined it is what stays the same. */
    static String stableClassName(Class<?> type) {
        String name = type.getName();
        int lambda = name.indexOf("$$Lambda");
        return lambda < 0 ? name : name.substring(0, lambda) + "$$Lambda";
    }

    static boolean declaresToString(Class<?> type) throws Exception {
        return type.getMethod("toString").getDeclaringClass() != Object.class;
    }

    static void check(Map<String, Map<String, ConfigDef.ConfigKey>> sections) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            int space = line.indexOf(' ');
            int equals = line.indexOf('=', space);
            String name = line.substring(space + 1, equals);
            ConfigDef.ConfigKey key = sections.get(line.substring(0, space)).get(name);
            String error = null;
            if (key == null) {
                error = "unknown key " + name;
            } else {
                try {
                    Object parsed = ConfigDef.parseType(name, line.substring(equals + 1), key.type);
                    if (key.validator != null) {
                        key.validator.ensureValid(name, parsed);
                    }
                } catch (ConfigException refused) {
                    error = refused.getMessage();
                }
            }
            json(out, error);
            out.append('\n');
        }
        OUT.print(out);
    }

    static Class<?> load(String className) {
        try {
            return Class.forName(className);
        } catch (ClassNotFoundException absent) {
            return null;
        }
    }

    static Object staticField(String className, String fieldName) throws Exception {
        Class<?> type = load(className);
        if (type == null || !hasField(type, fieldName)) {
            return null;
        }
        Field field = type.getDeclaredField(fieldName);
        field.setAccessible(true);
        return field.get(null);
    }

    static boolean hasField(Class<?> type, String fieldName) {
        for (Field field : type.getDeclaredFields()) {
            if (field.getName().equals(fieldName)) {
                return true;
            }
        }
        return false;
    }

    static boolean hasMethod(Class<?> type, String methodName) {
        for (Method method : type.getMethods()) {
            if (method.getName().equals(methodName) && method.getParameterCount() == 0) {
                return true;
            }
        }
        return false;
    }

    static Object field(Object target, String fieldName) throws Exception {
        Field field = target.getClass().getDeclaredField(fieldName);
        field.setAccessible(true);
        return field.get(target);
    }

    static Object call(Object target, String methodName) throws Exception {
        Method method = target.getClass().getMethod(methodName);
        return method.invoke(target);
    }

    static void json(StringBuilder out, Object value) {
        if (value == null || value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof Short) {
            out.append(value);
        } else if (value instanceof Double number) {
            out.append(number.isInfinite() || number.isNaN() ? "\"" + number + "\"" : number.toString());
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            String separator = "";
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.append(separator);
                json(out, entry.getKey().toString());
                out.append(':');
                json(out, entry.getValue());
                separator = ",";
            }
            out.append('}');
        } else if (value instanceof Iterable<?> items) {
            out.append('[');
            String separator = "";
            for (Iterator<?> item = items.iterator(); item.hasNext(); separator = ",") {
                out.append(separator);
                json(out, item.next());
            }
            out.append(']');
        } else {
            out.append('"');
            for (char c : value.toString().toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
                }
            }
            out.append('"');
        }
    }
}
