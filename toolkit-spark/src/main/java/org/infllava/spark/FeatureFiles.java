package org.infllava.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.infllava.io.InvalidInputException;
import tech.tablesaw.api.FloatColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Reads the features Parquet folder {@link FeatureExtractor} writes, without a Spark session: columns
 * {@code image_id} (string), {@code front_end} (string), {@code shape} (list of int) and {@code values} (list of
 * float). Any Parquet reader reads it too (pandas/pyarrow: {@code pd.read_parquet(dir)}; Spark:
 * {@code spark.read().parquet(dir)}).
 */
public final class FeatureFiles {

    private FeatureFiles() {}

    /** Every row of the folder's {@code part-*.parquet} files, in file order (the order the images were listed). */
    public static List<Feature> read(Path dir) {
        List<Path> parts;
        try (Stream<Path> s = Files.list(dir)) {
            parts = s.filter(p -> p.getFileName().toString().startsWith("part-")
                    && p.getFileName().toString().endsWith(".parquet")).sorted().toList();
        } catch (IOException e) {
            throw new InvalidInputException(dir, "cannot list: " + e.getMessage(), e);
        }
        if (parts.isEmpty()) {
            throw new InvalidInputException(dir, "holds no part-*.parquet files (not a features folder?)");
        }
        List<Feature> out = new ArrayList<>();
        Configuration conf = new Configuration();
        for (Path p : parts) {
            try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(),
                    new org.apache.hadoop.fs.Path(p.toUri())).withConf(conf).build()) {
                for (Group g = r.read(); g != null; g = r.read()) {
                    int[] shape = ints(g.getGroup("shape", 0));
                    out.add(new Feature(g.getString("image_id", 0), g.getString("front_end", 0), shape,
                            floats(g.getGroup("values", 0))));
                }
            } catch (IOException | RuntimeException e) {
                throw new InvalidInputException(p, "not a features file (image_id, front_end, shape, values): "
                        + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * The features as a Tablesaw table with one row per image and token: {@code image_id}, {@code front_end},
     * {@code token}, then {@code v0 .. v(d-1)}. All features must have the same width.
     */
    public static Table table(List<Feature> features) {
        StringColumn id = StringColumn.create("image_id");
        StringColumn fe = StringColumn.create("front_end");
        IntColumn token = IntColumn.create("token");
        int d = features.isEmpty() ? 0 : features.get(0).dim();
        List<FloatColumn> v = new ArrayList<>();
        for (int k = 0; k < d; k++) {
            v.add(FloatColumn.create("v" + k));
        }
        for (Feature f : features) {
            if (f.dim() != d) {
                throw new IllegalArgumentException("image " + f.imageId() + " has width " + f.dim() + ", not " + d);
            }
            float[][] m = f.matrix();
            for (int t = 0; t < m.length; t++) {
                id.append(f.imageId());
                fe.append(f.frontEnd());
                token.append(t);
                for (int k = 0; k < d; k++) {
                    v.get(k).append(m[t][k]);
                }
            }
        }
        Table t = Table.create("features", id, fe, token);
        v.forEach(t::addColumns);
        return t;
    }

    private static int[] ints(Group list) {
        int n = list.getFieldRepetitionCount("list");
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = list.getGroup("list", i).getInteger("element", 0);
        }
        return out;
    }

    private static float[] floats(Group list) {
        int n = list.getFieldRepetitionCount("list");
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = list.getGroup("list", i).getFloat("element", 0);
        }
        return out;
    }
}
