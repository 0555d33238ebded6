package dev.wsguard.contract.controls;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Measurement;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the server saw, for the tests, one {@code name=value} a line:
 * {@code ?events=ENDPOINT&name=REASON_OR_KIND} the security events CDI delivered (and, for a reason, the client
 * addresses they name);
 * {@code ?audit=REASON&endpoint=ENDPOINT} the audit log's lines of that reason (as the server's logging received
 * them from wsguard's logger) and the refusals those lines say were left out;
 * {@code ?jmx=PATH} the guard's JMX view; {@code ?meters=PATH} the Micrometer meters of the metered endpoint.
 */
@WebServlet("/inspect")
@WebListener
public class ControlInspector extends HttpServlet implements ServletContextListener {

    /** The audit log's messages since deployment. */
    private static final ConcurrentLinkedQueue<String> AUDIT = new ConcurrentLinkedQueue<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            AUDIT.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private static final String AUDIT_LOGGER = "dev.wsguard.audit";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        Logger.getLogger(AUDIT_LOGGER).addHandler(CAPTURE);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        // The handler is of this application: left on the server's logger, it would keep the WAR's class loader.
        Logger.getLogger(AUDIT_LOGGER).removeHandler(CAPTURE);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        PrintWriter out = response.getWriter();
        try {
            if (request.getParameter("events") != null) {
                String endpoint = request.getParameter("events");
                String name = request.getParameter("name");
                out.println("count=" + ControlEvents.count(endpoint, name));
                out.println("addresses=" + String.join(" ", ControlEvents.addresses(endpoint, name)));
            } else if (request.getParameter("audit") != null) {
                audit(out, request.getParameter("audit"), request.getParameter("endpoint"));
            } else if (request.getParameter("jmx") != null) {
                jmx(out, request.getParameter("jmx"));
            } else if (request.getParameter("meters") != null) {
                meters(out, request.getParameter("meters"));
            }
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private static void audit(PrintWriter out, String reason, String endpoint) {
        int lines = 0;
        long counted = 0;
        for (String line : AUDIT) {
            if (line.contains("\"reason\":\"" + reason + "\"") && line.contains("/" + endpoint + "\"")) {
                lines++;
                int at = line.indexOf("\"not_logged_before\":");
                if (at >= 0) {
                    counted += Long.parseLong(line.substring(at + 20, line.indexOf('}', at)));
                }
            }
        }
        out.println("lines=" + lines);
        out.println("counted=" + counted);
    }

    private static void jmx(PrintWriter out, String path) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.wsguard:type=Guard,endpoint=" + ObjectName.quote(path));
        Map<String, Object> values = new TreeMap<>();
        for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
            Object value = server.getAttribute(name, attribute.getName());
            if (value instanceof TabularData table) {
                // A map attribute, as an MXBean hands it out: key and value rows.
                Map<String, Object> map = new TreeMap<>();
                for (Object row : table.values()) {
                    map.put(String.valueOf(((CompositeData) row).get("key")), ((CompositeData) row).get("value"));
                }
                value = map;
            }
            values.put(attribute.getName(), value);
        }
        values.forEach((k, v) -> out.println(k + "=" + v));
    }

    private static void meters(PrintWriter out, String path) {
        TreeSet<String> lines = new TreeSet<>();
        for (Meter meter : ControlGuards.METERS.getMeters()) {
            if (!path.equals(meter.getId().getTag("endpoint")) && !path.equals("all")) {
                continue;
            }
            StringBuilder line = new StringBuilder(meter.getId().getName()).append('{');
            meter.getId().getTags().stream().filter(t -> !t.getKey().equals("endpoint"))
                    .forEach(t -> line.append(t.getKey()).append(':').append(t.getValue()).append(','));
            line.append('}');
            for (Measurement m : meter.measure()) {
                line.append(' ').append(m.getStatistic().getTagValueRepresentation()).append('=')
                        .append((long) m.getValue());
            }
            lines.add(line.toString());
        }
        lines.forEach(out::println);
    }
}
