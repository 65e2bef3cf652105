package org.infllava.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;
import org.infllava.model.GradMode;
import org.infllava.model.ModelDirectory;

/**
 * Distributed feature extraction: every image of a folder through the model's front-end and vision side
 * ({@code InfLlavaModel.visualFeatures}: crops, CLIP, DEM; before the projector), written as a Parquet folder with one
 * row per image: {@code image_id} (path relative to the folder), {@code front_end} (the crop strategy's name),
 * {@code shape} ({@code (1, T_v, d_v)}) and {@code values} (row-major floats). Read it back with
 * {@link FeatureFiles}. Each executor loads the model directory once per JVM ({@link Workers}); the images must be
 * readable at the same path on every executor. A failure leaves no output folder behind.
 */
public final class FeatureExtractor {

    /** The Parquet schema of a features folder. */
    public static final StructType SCHEMA = new StructType()
            .add("image_id", DataTypes.StringType, false)
            .add("front_end", DataTypes.StringType, false)
            .add("shape", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("values", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    private final SparkSession spark;
    private final Path modelDir;
    private final Path vision;
    private final int partitions;

    private FeatureExtractor(Builder b) {
        this.spark = b.spark;
        this.modelDir = b.modelDir.toAbsolutePath().normalize();
        this.vision = b.vision == null ? null : b.vision.toAbsolutePath().normalize();
        this.partitions = b.partitions;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The images under {@code dir} (png, jpg, jpeg, bmp, gif; any depth), sorted by relative path. */
    public static List<Path> images(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(dir, "not a folder of images");
        }
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> out = s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp")
                        || n.endsWith(".gif");
            }).sorted(Comparator.comparing(p -> dir.relativize(p).toString())).toList();
            if (out.isEmpty()) {
                throw new InvalidInputException(dir, "holds no images (png, jpg, jpeg, bmp, gif)");
            }
            return out;
        } catch (IOException e) {
            throw new InvalidInputException(dir, "cannot list: " + e.getMessage(), e);
        }
    }

    /**
     * Extracts the features of every image under {@code imageDir} into the new Parquet folder {@code outDir}.
     *
     * @return how many images
     */
    public long run(Path imageDir, Path outDir) {
        if (Files.exists(outDir)) {
            throw new InvalidInputException(outDir, "exists; choose another --out (features are not appended)");
        }
        Path root = imageDir.toAbsolutePath().normalize();
        List<String[]> rows = new ArrayList<>();
        for (Path p : images(root)) {
            rows.add(new String[] {root.relativize(p).toString().replace('\\', '/'), p.toString()});
        }
        String tpl = ModelDirectory.chatTemplate(modelDir, null).name();
        EvalSpec spec = new EvalSpec(modelDir.toString(), vision == null ? null : vision.toString(), tpl, 8, 0, null,
                null, null, false);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int parts = partitions > 0 ? Math.min(partitions, rows.size())
                : Math.min(rows.size(), jsc.defaultParallelism());
        JavaRDD<Row> features = jsc.parallelize(rows, parts).mapPartitions(new FeatureTask(spec));
        try {
            spark.createDataFrame(features, SCHEMA).write().parquet(outDir.toAbsolutePath().toString());
        } catch (Exception e) {
            deleteTree(outDir);
            throw new InvalidInputException("feature extraction stopped, nothing written to " + outDir + ": "
                    + TaskError.describe(e));
        }
        return rows.size();
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new InvalidInputException(dir, "cannot remove a partial output: " + e.getMessage(), e);
        }
    }

    /** An executor's share: {@code {image id, file}} pairs in, one feature row per image out. */
    static final class FeatureTask implements FlatMapFunction<Iterator<String[]>, Row> {
        private static final long serialVersionUID = 1L;
        private final EvalSpec spec;

        FeatureTask(EvalSpec spec) {
            this.spec = spec;
        }

        @Override
        public Iterator<Row> call(Iterator<String[]> images) {
            List<Row> out = new ArrayList<>();
            if (!images.hasNext()) {
                return out.iterator();
            }
            Workers.Worker w;
            try {
                w = Workers.model(spec);
            } catch (RuntimeException e) {
                throw new TaskError(Workers.where() + " cannot load the model directory " + spec.modelDir() + ": "
                        + e.getMessage());
            }
            String frontEnd = w.model().cropStrategy().name();
            while (images.hasNext()) {
                String[] img = images.next();
                try (NDManager m = NDManager.newBaseManager(w.manager().getDevice(), "PyTorch");
                        NDScope scope = new NDScope();
                        GradMode off = GradMode.disabled()) {
                    scope.suppressNotUsedWarning();
                    NDArray f = w.model().visualFeatures(new ParameterStore(m, false), m,
                            ImageFiles.read(Path.of(img[1])), false); // (1, T_v, d_v)
                    long[] s = f.getShape().getShape();
                    int[] shape = new int[s.length];
                    for (int i = 0; i < s.length; i++) {
                        shape[i] = Math.toIntExact(s[i]);
                    }
                    out.add(RowFactory.create(img[0], frontEnd, shape, f.toFloatArray()));
                } catch (RuntimeException e) {
                    String m = String.valueOf(e.getMessage());
                    throw new TaskError(Workers.where() + ": " + (m.contains(img[1]) ? m : "image " + img[1] + ": " + m));
                }
            }
            return out.iterator();
        }
    }

    /** Builder: the Spark session and the model directory are required. */
    public static final class Builder {
        private SparkSession spark;
        private Path modelDir;
        private Path vision;
        private int partitions;

        private Builder() {}

        /** The driver's Spark session. Required. */
        public Builder setSpark(SparkSession spark) {
            this.spark = spark;
            return this;
        }

        /** The model directory (the same path on every executor). Required. */
        public Builder setModelDir(Path modelDir) {
            this.modelDir = modelDir;
            return this;
        }

        /** The CLIP tower; default: the one the model's config names. */
        public Builder optVision(Path vision) {
            this.vision = vision;
            return this;
        }

        /** Partitions the images are split into; default 0: Spark's default parallelism. */
        public Builder optPartitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /** Validates and builds. */
        public FeatureExtractor build() {
            if (spark == null || modelDir == null) {
                throw new IllegalArgumentException("setSpark and setModelDir are required");
            }
            if (partitions < 0) {
                throw new InvalidInputException("--partitions must be at least 0, got " + partitions);
            }
            return new FeatureExtractor(this);
        }
    }
}
