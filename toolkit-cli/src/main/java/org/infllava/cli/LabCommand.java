package org.infllava.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.infllava.data.LlavaDataset;
import org.infllava.data.SynthCaptions;
import org.infllava.data.synth.HiResSynth;
import org.infllava.eval.Accuracy;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.GenerationConfig;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.ImageFiles;
import org.infllava.train.RunConfig;
import org.infllava.train.TrainRun;
import org.infllava.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infllava lab}: the CPU reproduction lab on HiResSynth — a tiny tower pretrained at sub-image resolution
 * (stage 0), then LLaVA-1.5 (one low-resolution view) and INF-LLaVA with the PAPER and REFERENCE DEM presets trained
 * with the same budget, and their accuracy per task with 95 % intervals.
 */
@Command(name = "lab", mixinStandardHelpOptions = true, description = "The CPU reproduction lab.",
        subcommands = {LabCommand.Run.class})
final class LabCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code infllava lab run [--quick]}. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Generate HiResSynth, pretrain a tiny tower (stage 0), train llava-1.5, inf-llava-paper and "
                    + "inf-llava-reference with one budget, and score them per task (results.csv, report.md).")
    static final class Run implements Callable<Integer> {

        @Option(names = "--quick", description = "A small budget (about a minute) instead of the default.")
        boolean quick;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", defaultValue = "runs", paramLabel = "DIR", description = "Parent of the run directory.")
        Path out;

        @Option(names = "--steps", paramLabel = "N", description = "Training steps per model (default 400, quick 120).")
        Integer steps;

        @Option(names = "--stage0", defaultValue = "caption", paramLabel = "caption|cells",
                description = "Stage 0 objective: caption (the tower trains with a tiny LLM on one low-resolution view) "
                        + "or cells (the tower learns what occupies each layout cell, per patch, from the scene "
                        + "descriptions) (default: ${DEFAULT-VALUE}).")
        String stage0;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        static final List<String[]> MODELS = List.of(new String[] {"llava-1.5", "none"},
                new String[] {"inf-llava-paper", "paper"}, new String[] {"inf-llava-reference", "reference"});

        @Override
        public Integer call() throws IOException {
            PrintWriter o = spec.commandLine().getOut();
            int perTask = quick ? 60 : 200;
            int n = steps != null ? steps : quick ? 120 : 400;
            Path run = Outputs.newRunDirectory(out, "lab");
            Path data = run.resolve("data");
            long t0 = System.nanoTime();
            HiResSynth.write(data, perTask, 84, seed);
            Files.writeString(data.resolve("tokenizer.json"), SynthCaptions.wordLevelTokenizer(vocabulary(data)),
                    StandardCharsets.UTF_8);
            o.printf("lab: HiResSynth %d samples per task (84x84, 6x6 layout) in %s; %d steps per model%n", perTask,
                    data, n);
            Path tower = stage0.equals("cells") ? pretrainCells(o, run, data, 2 * n)
                    : train(o, run, "stage0", "none", 0, null, n, data);
            Map<String, Map<String, Accuracy.Result>> results = new LinkedHashMap<>();
            for (String[] model : MODELS) {
                results.put(model[0], evaluate(o, run, model[0], model[1], tower, n, data));
            }
            writeResults(o, run, results);
            o.printf("lab done in %.0f s: %s%n", (System.nanoTime() - t0) / 1e9, run);
            return 0;
        }

        private Path train(PrintWriter o, Path run, String name, String dem, int stage, Path tower, int steps,
                Path data) throws IOException {
            JsonObject cfg = config(name, dem, stage, tower, steps, data);
            Path file = run.resolve(name + ".json");
            Files.createDirectories(run);
            Files.writeString(file, cfg.toString());
            RunConfig c = RunConfig.load(file);
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                Trainer t = TrainRun.prepare(c, run.resolve(name), m, new PrintWriter(java.io.Writer.nullWriter()));
                t.run(steps);
                o.printf("  %-20s loss %.3f -> %.3f%n", name, t.history().get(0).loss(),
                        t.history().get(t.history().size() - 1).loss());
                Path vision = run.resolve(name).resolve("vision");
                t.model().vision().save(vision);
                return vision;
            }
        }

        /**
         * Stage 0 with a direct visual objective: the tower sees each scene's 28-px low-resolution view and a linear
         * head predicts, for each of its 7×7 patches, what occupies the layout cell under the patch centre (empty, or
         * one of 4 shapes × 5 colours), from the stored scene description. Saved as a CLIPVisionModel directory.
         */
        private Path pretrainCells(PrintWriter o, Path run, Path data, int steps) throws IOException {
            JsonArray rows = JsonParser.parseString(Files.readString(data.resolve("train.json"))).getAsJsonArray();
            com.google.gson.Gson gson = new com.google.gson.Gson();
            int classes = 1 + org.infllava.data.synth.Scene.Shape.values().length
                    * org.infllava.data.synth.Scene.Hue.values().length;
            org.infllava.crop.ClipPreprocessor pre = org.infllava.crop.ClipPreprocessor.clip();
            List<float[]> pixels = new ArrayList<>();
            List<long[]> targets = new ArrayList<>();
            for (JsonElement e : rows) {
                JsonObject row = e.getAsJsonObject();
                org.infllava.data.synth.Scene scene = gson.fromJson(row.get("scene"), org.infllava.data.synth.Scene.class);
                java.awt.image.BufferedImage img = ImageFiles.read(data.resolve(row.get("image").getAsString()));
                pixels.add(pre.normalize(org.infllava.crop.ClipPreprocessor.resize(
                        org.infllava.crop.ClipPreprocessor.toRgb(img), 28, 28)));
                long[] t = new long[49];
                for (int p = 0; p < 49; p++) {
                    double cy = (p / 7 + 0.5) / 7 * scene.cells();
                    double cx = (p % 7 + 0.5) / 7 * scene.cells();
                    for (org.infllava.data.synth.Scene.Item it : scene.objects()) {
                        if (it.row() == (int) cy && it.col() == (int) cx) {
                            t[p] = 1 + it.shape().ordinal() * org.infllava.data.synth.Scene.Hue.values().length
                                    + it.hue().ordinal();
                        }
                    }
                }
                targets.add(t);
            }
            Path vision = run.resolve("stage0").resolve("vision");
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                org.infllava.model.ClipVisionEncoder enc = new org.infllava.model.ClipVisionEncoder(
                        new org.infllava.model.ClipVisionConfig(32, 64, 2, 4, 3, 28, 4, "quick_gelu", 1e-5f));
                enc.initialize(m, seed);
                org.infllava.model.MlpProjector head = new org.infllava.model.MlpProjector(
                        org.infllava.model.MlpProjector.Type.LINEAR, 32, classes);
                head.initialize(m, seed + 1);
                Map<String, ai.djl.nn.Parameter> params = new LinkedHashMap<>();
                enc.namedParameters().forEach((k, p) -> params.put("vision." + k, p));
                head.namedParameters().forEach((k, p) -> params.put("head." + k, p));
                params.values().forEach(p -> p.getArray().setRequiresGradient(true));
                org.infllava.train.AdamW opt = new org.infllava.train.AdamW(params, m, 0.9, 0.999, 1e-8, 0);
                org.infllava.train.LrSchedule lr = org.infllava.train.LrSchedule.of(3e-3, steps, 0.05, 0.1);
                java.util.Random r = new java.util.Random(seed);
                ParameterStore ps = new ParameterStore(m, false);
                float first = Float.NaN;
                float last = Float.NaN;
                int b = 16;
                for (int s = 0; s < steps; s++) {
                    float[] px = new float[b * 3 * 28 * 28];
                    long[] tg = new long[b * 49];
                    for (int i = 0; i < b; i++) {
                        int k = r.nextInt(pixels.size());
                        System.arraycopy(pixels.get(k), 0, px, i * 3 * 28 * 28, 3 * 28 * 28);
                        System.arraycopy(targets.get(k), 0, tg, i * 49, 49);
                    }
                    try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                        scope.suppressNotUsedWarning();
                        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance()
                                .newGradientCollector()) {
                            ai.djl.ndarray.NDArray f = enc.features(ps, m.create(px, new ai.djl.ndarray.types.Shape(b,
                                    3, 28, 28)), -2, org.infllava.model.ClipVisionEncoder.SelectFeature.PATCH, true);
                            ai.djl.ndarray.NDArray logp = head.project(ps, f, true).logSoftmax(-1); // (B, 49, K)
                            ai.djl.ndarray.NDArray picked = logp.gather(m.create(tg, new ai.djl.ndarray.types.Shape(b,
                                    49, 1)).duplicate(), -1);
                            ai.djl.ndarray.NDArray loss = picked.mean().neg();
                            gc.backward(loss);
                            last = loss.getFloat();
                            first = s == 0 ? last : first;
                        }
                    }
                    org.infllava.train.GradientClipping.clipByGlobalNorm(params.values(), 1.0);
                    opt.step(lr.at(s));
                }
                o.printf("  %-20s cell loss %.3f -> %.3f (%d classes per patch)%n", "stage0 (cells)", first, last,
                        classes);
                enc.save(vision);
            }
            return vision;
        }

        private Map<String, Accuracy.Result> evaluate(PrintWriter o, Path run, String name, String dem, Path tower,
                int steps, Path data) throws IOException {
            JsonObject cfg = config(name, dem, 2, tower, steps, data);
            Path file = run.resolve(name + ".json");
            Files.writeString(file, cfg.toString());
            RunConfig c = RunConfig.load(file);
            try (NDManager m = NDManager.newBaseManager("PyTorch");
                    TextTokenizer tok = TextTokenizer.load(data.resolve("tokenizer.json"))) {
                Trainer t = TrainRun.prepare(c, run.resolve(name), m, new PrintWriter(java.io.Writer.nullWriter()));
                t.run(steps);
                o.printf("  %-20s loss %.3f -> %.3f%n", name, t.history().get(0).loss(),
                        t.history().get(t.history().size() - 1).loss());
                LlavaDataset test = LlavaDataset.load(data.resolve("test.json"), data, true);
                JsonArray raw = JsonParser.parseString(Files.readString(data.resolve("test.json"))).getAsJsonArray();
                List<Accuracy.Item> items = new ArrayList<>();
                List<Accuracy.Item> blind = new ArrayList<>();
                ParameterStore ps = new ParameterStore(m, false);
                for (int i = 0; i < test.rows().size(); i++) {
                    LlavaDataset.Row row = test.rows().get(i);
                    long[] ids = ChatTemplate.PLAIN.render(row.turns().subList(0, 1), tok, true).ids();
                    java.awt.image.BufferedImage img = ImageFiles.read(row.images().get(0));
                    String task = raw.get(i).getAsJsonObject().get("task").getAsString();
                    String reference = row.turns().get(1).text();
                    long[] answer = t.model().generate(ps, m, ids, List.of(img), GenerationConfig.greedy(2, 2), null);
                    items.add(new Accuracy.Item(task, tok.decode(answer, true), reference));
                    // Control: the same question about another test scene. Equal accuracy means the model answers
                    // from the question alone; lower accuracy means it reads this scene.
                    java.awt.image.BufferedImage other = ImageFiles.read(test.rows().get((i + 7) % test.rows().size())
                            .images().get(0));
                    long[] guess = t.model().generate(ps, m, ids, List.of(other), GenerationConfig.greedy(2, 2), null);
                    blind.add(new Accuracy.Item("all", tok.decode(guess, true), reference));
                }
                Map<String, Accuracy.Result> byTask = Accuracy.byGroup(items);
                Accuracy.Result seeing = Accuracy.byGroup(items.stream().map(x -> new Accuracy.Item("all",
                        x.prediction(), x.reference())).toList()).get("all");
                Accuracy.Result swapped = Accuracy.byGroup(blind).get("all");
                o.printf("  %-20s overall %.2f with its image, %.2f with another scene's image (control)%n", name,
                        seeing.accuracy(), swapped.accuracy());
                return byTask;
            }
        }

        private JsonObject config(String name, String dem, int stage, Path tower, int steps, Path data) {
            JsonObject vision = new JsonObject();
            if (tower == null) {
                vision.add("random", JsonParser.parseString("{\"hidden_size\": 32, \"intermediate_size\": 64, "
                        + "\"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"image_size\": 28, \"patch_size\": 4}"));
            } else {
                vision.addProperty("dir", tower.toAbsolutePath().toString());
            }
            JsonObject model = new JsonObject();
            model.add("vision", vision);
            JsonObject llm = new JsonObject();
            llm.add("random", JsonParser.parseString("{\"hidden_size\": 64, \"intermediate_size\": 128, "
                    + "\"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"num_key_value_heads\": 2, "
                    + "\"max_position_embeddings\": 256}"));
            model.add("llm", llm);
            model.addProperty("dem", dem);
            model.addProperty("grid", 3);
            JsonObject d = new JsonObject();
            d.addProperty("file", data.resolve("train.json").toAbsolutePath().toString());
            d.addProperty("image_root", data.toAbsolutePath().toString());
            d.addProperty("tokenizer", data.resolve("tokenizer.json").toAbsolutePath().toString());
            d.addProperty("template", "plain");
            d.addProperty("max_length", 128);
            JsonObject train = new JsonObject();
            train.addProperty("steps", steps);
            train.addProperty("batch_size", 8);
            train.addProperty("lr", 3e-3);
            train.addProperty("warmup_ratio", 0.05);
            train.addProperty("clip_norm", 1.0);
            JsonObject c = new JsonObject();
            c.addProperty("name", name);
            c.addProperty("seed", seed);
            c.addProperty("stage", stage);
            c.addProperty("device", "cpu");
            c.add("model", model);
            c.add("data", d);
            c.add("train", train);
            return c;
        }

        private static List<String> vocabulary(Path data) throws IOException {
            Set<String> words = new LinkedHashSet<>(List.of("<pad>", "<s>", "</s>", "<unk>"));
            for (String split : List.of("train", "val", "test")) {
                for (JsonElement e : JsonParser.parseString(Files.readString(data.resolve(split + ".json")))
                        .getAsJsonArray()) {
                    for (JsonElement t : e.getAsJsonObject().getAsJsonArray("conversations")) {
                        String text = t.getAsJsonObject().get("value").getAsString().replace("<image>", " ");
                        for (String w : text.split("[\\s]+|(?=\\p{Punct})|(?<=\\p{Punct})")) {
                            if (!w.isBlank()) {
                                words.add(w);
                            }
                        }
                    }
                }
            }
            return new ArrayList<>(words);
        }

        private static void writeResults(PrintWriter o, Path run, Map<String, Map<String, Accuracy.Result>> results)
                throws IOException {
            StringBuilder csv = new StringBuilder("model,task,n,accuracy,ci_low,ci_high\n");
            List<String> tasks = new ArrayList<>(HiResSynth.TASKS);
            String[] header = new String[tasks.size() + 1];
            header[0] = "model";
            for (int i = 0; i < tasks.size(); i++) {
                header[i + 1] = tasks.get(i) + (HiResSynth.FINE_DETAIL.contains(tasks.get(i)) ? "*" : "");
            }
            TextTable table = new TextTable(header);
            StringBuilder md = new StringBuilder("# HiResSynth lab results\n\nAccuracy with 95 % Wilson intervals; "
                    + "* marks the fine-detail tasks.\n\n| model | " + String.join(" | ", header).substring(8)
                    + " |\n|---|" + "---|".repeat(tasks.size()) + "\n");
            results.forEach((model, byTask) -> {
                Object[] cells = new Object[tasks.size() + 1];
                cells[0] = model;
                md.append("| ").append(model).append(" |");
                for (int i = 0; i < tasks.size(); i++) {
                    Accuracy.Result r = byTask.get(tasks.get(i));
                    String cell = r == null ? "-" : String.format("%.2f [%.2f, %.2f]", r.accuracy(), r.ciLow(), r.ciHigh());
                    cells[i + 1] = cell;
                    md.append(' ').append(cell).append(" |");
                    if (r != null) {
                        csv.append(String.format(java.util.Locale.ROOT, "%s,%s,%d,%.4f,%.4f,%.4f%n", model, tasks.get(i),
                                r.n(), r.accuracy(), r.ciLow(), r.ciHigh()));
                    }
                }
                md.append('\n');
                table.row(cells);
            });
            Files.writeString(run.resolve("results.csv"), csv, StandardCharsets.UTF_8);
            Files.writeString(run.resolve("report.md"), md, StandardCharsets.UTF_8);
            o.print(table);
        }
    }
}
