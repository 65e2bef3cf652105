package org.infllava.kernel;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Expands the path globs of {@code %jars} and {@code %classpath} ({@code lib/*.jar}, {@code ../target/**.jar},
 * {@code ~/jars/x.jar}) against a working directory, the notebook's: a relative pattern is relative to it,
 * {@code ~} is the home directory, and {@code *}, {@code ?}, {@code **}, {@code [..]} and {@code {a,b}} follow
 * {@link java.nio.file.FileSystem#getPathMatcher} glob syntax. Matches come back sorted, as absolute paths.
 */
public final class PathGlobs {

    private PathGlobs() {
    }

    /**
     * The paths a pattern matches.
     *
     * @param filesOnly keep regular files only (for {@code %jars}); else directories too (for {@code %classpath})
     * @throws IllegalArgumentException when nothing matches, naming the pattern and the directory
     */
    public static List<Path> expand(String pattern, Path workDir, boolean filesOnly) throws IOException {
        String p = pattern.startsWith("~/") ? System.getProperty("user.home") + pattern.substring(1) : pattern;
        Path base = workDir.toAbsolutePath().normalize();
        int glob = firstGlobChar(p);
        List<Path> out = new ArrayList<>();
        if (glob < 0) {
            Path path = base.resolve(p).normalize();
            if (Files.isRegularFile(path) || !filesOnly && Files.isDirectory(path)) {
                out.add(path);
            }
        } else {
            int slash = p.lastIndexOf('/', glob);
            String rootPart = slash < 0 ? "" : p.substring(0, slash + 1);
            Path root = base.resolve(rootPart.isEmpty() ? "." : rootPart).normalize();
            String absPattern = root.toString() + "/" + p.substring(slash + 1);
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + absPattern);
            if (Files.isDirectory(root)) {
                int depth = p.substring(slash + 1).contains("**") ? Integer.MAX_VALUE
                        : (int) p.substring(slash + 1).chars().filter(c -> c == '/').count() + 1;
                try (Stream<Path> walk = Files.walk(root, depth)) {
                    walk.filter(q -> matcher.matches(q.normalize()))
                            .filter(q -> Files.isRegularFile(q) || !filesOnly && Files.isDirectory(q))
                            .map(Path::normalize).sorted().forEach(out::add);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(pattern + ": no " + (filesOnly ? "file" : "file or directory")
                    + " matches (relative to " + base + ")");
        }
        return out;
    }

    private static int firstGlobChar(String p) {
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return i;
            }
        }
        return -1;
    }
}
