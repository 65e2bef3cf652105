package org.infllava.train;

import static net.bytebuddy.matcher.ElementMatchers.named;

import java.lang.instrument.Instrumentation;
import java.util.concurrent.atomic.AtomicLong;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

/**
 * Counts the PyTorch engine's host transfers by instrumenting its JNI entry points (retransformation of
 * {@code ai.djl.pytorch.jni.JniUtils}): {@link #reads()} counts {@code getByteBuffer}, through which every
 * device-to-host read goes ({@code toFloatArray}, {@code getFloat}, {@code toArray}, …: a synchronisation point on a
 * GPU); {@link #writes()} counts {@code createNdFromByteBuffer} and {@code set(PtNDArray, ByteBuffer)} (arrays made
 * from or filled with Java data: host-to-device uploads). Counting is per JVM; tests read differences.
 */
public final class HostTransfers {

    /** Device-to-host reads so far. */
    public static final AtomicLong READS = new AtomicLong();
    /** Host-to-device writes so far. */
    public static final AtomicLong WRITES = new AtomicLong();
    private static boolean installed;

    private HostTransfers() {}

    /** Installs the instrumentation once per JVM. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        Instrumentation inst = ByteBuddyAgent.install();
        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .ignore(net.bytebuddy.matcher.ElementMatchers.none())
                .type(named("ai.djl.pytorch.jni.JniUtils"))
                .transform((builder, type, loader, module, domain) -> builder
                        .visit(Advice.to(Read.class).on(named("getByteBuffer")))
                        .visit(Advice.to(Write.class).on(named("createNdFromByteBuffer").or(named("set")))))
                .installOn(inst);
        installed = true;
    }

    /** Reads so far. */
    public static long reads() {
        return READS.get();
    }

    /** Writes so far. */
    public static long writes() {
        return WRITES.get();
    }

    /** Advice inlined into {@code JniUtils.getByteBuffer}. */
    public static final class Read {
        private Read() {}

        /** Counts one read. */
        @Advice.OnMethodEnter
        public static void enter() {
            READS.incrementAndGet();
        }
    }

    /** Advice inlined into the upload entry points. */
    public static final class Write {
        private Write() {}

        /** Counts one write. */
        @Advice.OnMethodEnter
        public static void enter() {
            WRITES.incrementAndGet();
        }
    }
}
