package dev.wsguard;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No class of one package depends, directly or through others, on a class of another package that depends back on
 * it: the public API, the internal checks and each runtime adapter stay layers, not a knot. Read from the compiled
 * classes with {@code jdeps}; cycles inside one package are allowed.
 */
class ImportCyclesTest {

    @Test
    void classesWhenCompiledThenNoDependencyCycleCrossesAPackage() {
        Map<String, Set<String>> graph = dependencies(Path.of("target", "classes"));
        assertThat(graph).as("jdeps found the classes").containsKey("dev.wsguard.WsGuardConfigurator");
        List<Set<String>> crossing = new ArrayList<>();
        for (Set<String> cycle : stronglyConnected(graph)) {
            Set<String> packages = new TreeSet<>();
            cycle.forEach(type -> packages.add(type.substring(0, type.lastIndexOf('.'))));
            if (packages.size() > 1) {
                crossing.add(new TreeSet<>(cycle));
            }
        }
        assertThat(crossing).isEmpty();
    }

    /** Top-level class to the top-level classes of this project it uses (nested classes folded into theirs). */
    private static Map<String, Set<String>> dependencies(Path classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "-filter:none",
                "-verbose:class", "-e", "dev\\.wsguard\\..*", classes.toString());
        assertThat(status).isZero();
        Map<String, Set<String>> graph = new HashMap<>();
        for (String line : out.toString().split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length < 3 || !parts[1].equals("->") || !parts[0].startsWith("dev.wsguard.")) {
                continue;
            }
            String from = topLevel(parts[0]);
            String to = topLevel(parts[2]);
            if (!from.equals(to)) {
                graph.computeIfAbsent(from, k -> new HashSet<>()).add(to);
            }
        }
        return graph;
    }

    private static String topLevel(String type) {
        int nested = type.indexOf('$');
        return nested < 0 ? type : type.substring(0, nested);
    }

    /** Tarjan's strongly connected components with more than one class. */
    private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> components = new ArrayList<>();
        int[] counter = {0};
        for (String node : graph.keySet()) {
            if (!index.containsKey(node)) {
                visit(node, graph, index, low, stack, onStack, components, counter);
            }
        }
        return components;
    }

    private static void visit(String node, Map<String, Set<String>> graph, Map<String, Integer> index,
                              Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                              List<Set<String>> components, int[] counter) {
        index.put(node, counter[0]);
        low.put(node, counter[0]++);
        stack.push(node);
        onStack.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                visit(next, graph, index, low, stack, onStack, components, counter);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new HashSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) {
                components.add(component);
            }
        }
    }
}
