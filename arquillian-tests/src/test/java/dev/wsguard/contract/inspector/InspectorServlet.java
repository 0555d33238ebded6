package dev.wsguard.contract.inspector;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What of wsguard is alive in the server right now, from a WAR that holds no wsguard class itself: threads named
 * {@code wsguard*}, MBeans in the {@code dev.wsguard} domain, and which class loaders have loaded wsguard's
 * initializer (one per live deployment; more means an old deployment's classes were kept), or the class named by
 * {@code ?class=}. With {@code ?gc} it collects first, until none is left or the count stands still.
 */
@WebServlet("/state")
public class InspectorServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            String probe = request.getParameter("class") == null ? "dev.wsguard.ee.WsGuardInitializer"
                    : request.getParameter("class");
            List<String> loaders = loadersOf(probe);
            if (request.getParameter("gc") != null) {
                // An undeployed module is let go a little after the management operation returns: collect until
                // none is left, or the count has stood still for five seconds, or thirty seconds have passed.
                long deadline = System.nanoTime() + 30_000_000_000L;
                for (int stable = 0; stable < 10 && !loaders.isEmpty() && System.nanoTime() < deadline; ) {
                    System.gc();
                    Thread.sleep(500);
                    List<String> now = loadersOf(probe);
                    stable = now.size() == loaders.size() ? stable + 1 : 0;
                    loaders = now;
                }
            }
            response.setContentType("text/plain");
            response.getWriter().println("threads=" + threads());
            response.getWriter().println("mbeans=" + mbeans());
            response.getWriter().println("loaders=" + loaders.size());
            response.getWriter().println("loader-names=" + loaders);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** Names of live wsguard threads, sorted, one entry per thread. */
    private static List<String> threads() {
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().startsWith("wsguard")) {
                names.add(thread.getName());
            }
        }
        java.util.Collections.sort(names);
        return names;
    }

    private static Set<String> mbeans() throws Exception {
        Set<String> names = new TreeSet<>();
        for (ObjectName name : ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("dev.wsguard:*"),
                null)) {
            names.add(name.toString());
        }
        return names;
    }

    /** The class loaders that hold the class {@code name} (jcmd VM.classloaders show-classes=true). */
    private static List<String> loadersOf(String name) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String tree = (String) server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "vmClassloaders", new Object[] {new String[] {"show-classes=true"}},
                new String[] {String[].class.getName()});
        List<String> loaders = new ArrayList<>();
        String loader = null;
        for (String line : tree.split("\n")) {
            String trimmed = line.replace('|', ' ').trim();
            if (trimmed.startsWith("+--")) {
                loader = trimmed.substring(3).trim();
            } else if (trimmed.equals(name) || trimmed.endsWith(" " + name)) {
                loaders.add(loader);
            }
        }
        return loaders;
    }
}
