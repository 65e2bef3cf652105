package org.infllava.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CellSourceTest {

    @Test
    void magicsAndCodeKeepTheirCellLines() {
        List<CellSource.Part> parts = CellSource.parse(
                "%maven org.infllava:toolkit-cli:0.1.0-SNAPSHOT\n\nint x = 2;\nint y = x % 2;\n  %jars lib/*.jar \"my dir/a.jar\"\nx");
        assertEquals(List.of(
                new CellSource.Magic("maven", List.of("org.infllava:toolkit-cli:0.1.0-SNAPSHOT"), 1),
                new CellSource.Code("int x = 2;\nint y = x % 2;", 3),
                new CellSource.Magic("jars", List.of("lib/*.jar", "my dir/a.jar"), 5),
                new CellSource.Code("x", 6)), parts);
    }

    @Test
    void percentInsideATextBlockIsNotAMagic() {
        List<CellSource.Part> parts = CellSource.parse("String s = \"\"\"\n%maven not:a:magic\n\"\"\";");
        assertEquals(1, parts.size());
        assertTrue(parts.get(0) instanceof CellSource.Code);
    }

    @Test
    void quotedArgumentsAndEscapes() {
        assertEquals(List.of("a b", "c\"d", "e"), CellSource.splitArgs(" \"a b\"  \"c\\\"d\" e ", 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CellSource.parse("int a;\n%jars \"unclosed"));
        assertTrue(e.getMessage().startsWith("line 2: unclosed quote"), e.getMessage());
    }

    @Test
    void cellMagicsAreRejectedWithTheirLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CellSource.parse("\n%%time\nint a;"));
        assertTrue(e.getMessage().startsWith("line 2: cell magic %%time"), e.getMessage());
    }
}
