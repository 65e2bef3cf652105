package org.infllava.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.infllava.io.HostTensor;
import org.infllava.io.ImageFiles;
import org.infllava.io.NpyArrays;
import org.infllava.testing.Close;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model directories written before visual front-ends existed (fixtures of {@link LegacyDirectories}, saved by the code
 * of commit 852f86c) load with today's code and give the visual tokens and logits that code computed. The tolerance
 * (rtol 1e-5, atol 1e-6) only allows for a different CPU's float rounding; on the machine that wrote them the
 * outputs agree bit for bit.
 */
class LegacyDirectoryTest {

    private static final Path LEGACY = Path.of("src/test/resources/legacy");

    @ParameterizedTest
    @ValueSource(strings = {"dem-reference", "dem-paper", "llava-1.5"})
    void savedBeforeFrontEndsLoadsAndGivesTheSameOutputs(String name) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            InfLlavaModel model = InfLlavaModel.fromPretrained(LEGACY.resolve(name), null, m);
            BufferedImage img = ImageFiles.read(LEGACY.resolve("image.png"));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray v = model.visualTokens(ps, m, img, false); // (1, T_v, 32)
            HostTensor expected = NpyArrays.read(LEGACY.resolve(name + "-visual-tokens.npy"));
            assertArrayEquals(expected.shape(), v.getShape().getShape(), name + " visual tokens shape");
            Close.assertClose(expected.data(), v.toFloatArray(), 1e-5, 1e-6, name + " visual tokens");
            NDArray e = model.embed(ps, m, LegacyDirectories.PROMPT, List.of(img), false); // (1, T, 32)
            long t = e.getShape().get(1);
            NDArray logits = model.llm().forward(ps, e, null, m.arange(0f, (float) t).reshape(1, t), null, false);
            HostTensor expectedLogits = NpyArrays.read(LEGACY.resolve(name + "-logits.npy"));
            assertArrayEquals(expectedLogits.shape(), logits.getShape().getShape(), name + " logits shape");
            Close.assertClose(expectedLogits.data(), logits.toFloatArray(), 1e-5, 1e-6, name + " logits");
        }
    }
}
