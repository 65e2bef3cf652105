package org.infllava.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The packaged notebook artifact (run in the {@code verify} phase, after {@code package}): only the packages notebook
 * cells use (and the two that native code finds by name) stay unrelocated, DJL's engine discovery survives shading,
 * and the reduced POM's only run-time dependency is the PyTorch natives jar.
 */
class ShadedJarCheck {

    /** Unrelocated class packages allowed in the jar. */
    private static final List<String> KEPT = List.of("org/infllava/", "ai/djl/", "tech/tablesaw/", "org/knowm/xchart/",
            "org/tribuo/", "com/sun/jna/", "org/slf4j/");

    private static Path target() {
        return Path.of(System.getProperty("shaded.dir", "target"));
    }

    private static Path jar() throws IOException {
        try (var s = Files.list(target())) {
            return s.filter(p -> p.getFileName().toString().matches("toolkit-notebook-[^-]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no shaded jar under " + target()));
        }
    }

    @Test
    void everyClassOutsideTheKeptPackagesIsRelocated() throws IOException {
        Set<String> stray = new TreeSet<>();
        Set<String> relocated = new TreeSet<>();
        try (JarFile jar = new JarFile(jar().toFile())) {
            for (var e : (Iterable<java.util.jar.JarEntry>) jar.stream()::iterator) {
                String n = e.getName();
                if (!n.endsWith(".class") || n.startsWith("META-INF/")) {
                    continue;
                }
                if (n.startsWith("org/infllava/shaded/")) {
                    String[] p = n.substring("org/infllava/shaded/".length()).split("/");
                    relocated.add(p[0] + "." + p[1]);
                } else if (KEPT.stream().noneMatch(n::startsWith)) {
                    stray.add(n.substring(0, n.lastIndexOf('/') + 1));
                }
            }
            assertTrue(stray.isEmpty(), "unrelocated packages outside " + KEPT + ": " + stray);
            assertTrue(relocated.containsAll(Set.of("com.google", "org.apache", "com.oracle", "it.unimi")),
                    "relocated: " + relocated);
            for (String needed : List.of("org/infllava/notebook/Notebooks.class", "org/infllava/crop/GridMaps.class",
                    "ai/djl/ndarray/NDArray.class", "ai/djl/pytorch/engine/PtEngineProvider.class",
                    "tech/tablesaw/api/Table.class", "org/knowm/xchart/XYChart.class", "org/slf4j/Logger.class",
                    "org/infllava/shaded/com/google/gson/Gson.class")) {
                assertTrue(jar.getEntry(needed) != null, "missing " + needed);
            }
            String engines = new String(jar.getInputStream(jar.getEntry("META-INF/services/ai.djl.engine.EngineProvider"))
                    .readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(engines.lines().anyMatch("ai.djl.pytorch.engine.PtEngineProvider"::equals), engines);
            assertTrue(jar.getEntry("io/github/spencerpark/jupyter/kernel/BaseKernel.class") == null,
                    "the kernel's base classes must come from the kernel");
        }
    }

    @Test
    void theReducedPomKeepsOnlyThePyTorchNativesAtRunTime() throws Exception {
        Path pom = target().resolve("dependency-reduced-pom.xml");
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        Element deps = (Element) doc.getDocumentElement().getElementsByTagName("dependencies").item(0);
        List<String> runtime = new ArrayList<>();
        NodeList list = deps.getElementsByTagName("dependency");
        for (int i = 0; i < list.getLength(); i++) {
            Element d = (Element) list.item(i);
            if (d.getParentNode() != deps) {
                continue;
            }
            String scope = text(d, "scope");
            if (scope == null || scope.equals("compile") || scope.equals("runtime")) {
                runtime.add(text(d, "groupId") + ":" + text(d, "artifactId") + ":" + text(d, "classifier"));
            }
        }
        assertEquals(List.of("ai.djl.pytorch:pytorch-native-cpu:linux-x86_64"), runtime);
        Matcher m = Pattern.compile("<type>test-jar</type>").matcher(Files.readString(pom));
        assertTrue(!m.find(), "no test-jar dependency in the published POM");
    }

    private static String text(Element e, String tag) {
        NodeList n = e.getElementsByTagName(tag);
        return n.getLength() == 0 ? null : n.item(0).getTextContent().strip();
    }
}
