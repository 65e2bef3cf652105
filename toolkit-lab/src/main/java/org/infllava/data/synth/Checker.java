package org.infllava.data.synth;

import java.util.Locale;
import java.util.Map;
import org.infllava.data.synth.Scene.Item;
import org.infllava.data.synth.Scene.Shape;

/**
 * Recomputes the answer of a HiResSynth question from the scene description and the question's arguments alone,
 * independently of how the generator chose it.
 */
public final class Checker {

    private Checker() {}

    /** The answer the scene implies. */
    public static String answer(Scene s, String task, Map<String, String> args) {
        return switch (task) {
            case "glyph" -> s.objects().stream().filter(o -> o.shape() == Shape.GLYPH
                    && o.region(s.cells()).equals(args.get("region"))).findFirst()
                    .map(o -> String.valueOf(o.glyph()).toLowerCase(Locale.ROOT)).orElse("none");
            case "count" -> String.valueOf(s.objects().stream().filter(o -> o.shapeWord().equals(args.get("shape")))
                    .count());
            case "relation" -> {
                Item a = find(s, args.get("a"));
                Item b = find(s, args.get("b"));
                boolean yes = args.get("relation").equals("left of") ? a.col() < b.col() : a.row() < b.row();
                yield yes ? "yes" : "no";
            }
            case "exists" -> s.objects().stream().anyMatch(o -> (o.hue().word() + " " + o.shapeWord())
                    .equals(args.get("object"))) ? "yes" : "no";
            case "colour" -> s.objects().stream().filter(o -> o.shapeWord().equals(args.get("shape"))
                    && o.region(s.cells()).equals(args.get("region"))).findFirst().map(o -> o.hue().word())
                    .orElse("none");
            case "checkered" -> s.objects().stream().anyMatch(Item::checkered) ? "yes" : "no";
            case "checkered-colour" -> s.objects().stream().filter(Item::checkered).findFirst()
                    .map(o -> o.hue().word()).orElse("none");
            default -> throw new IllegalArgumentException("unknown task '" + task + "'");
        };
    }

    private static Item find(Scene s, String kind) {
        return s.objects().stream().filter(o -> (o.hue().word() + " " + o.shapeWord()).equals(kind)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + kind + " in the scene"));
    }
}
