package org.infllava.kernel;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.logging.Level;

/**
 * Connects a {@link JavaKernel} to Jupyter: reads the connection file Jupyter wrote ({@code {connection_file}} in
 * the kernel spec), binds the five sockets and serves until Jupyter shuts the kernel down.
 */
public final class KernelLauncher {

    private KernelLauncher() {
    }

    /**
     * Serves a kernel on the given connection file; returns when Jupyter shuts it down.
     *
     * @throws IllegalArgumentException when the connection file is missing or malformed, naming it
     */
    public static void run(Path connectionFile) throws IOException {
        if (!Files.isRegularFile(connectionFile)) {
            throw new IllegalArgumentException("connection file " + connectionFile + " is not a file");
        }
        KernelConnectionProperties props;
        try {
            props = KernelConnectionProperties.parse(Files.readString(connectionFile, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("connection file " + connectionFile + " is not a Jupyter connection"
                    + " file: " + e.getMessage(), e);
        }
        JupyterSocket.JUPYTER_LOGGER.setLevel(Level.WARNING);
        // The base kernel logs every socket loop's start and stop at INFO to stderr (the Jupyter server's log).
        java.util.logging.Logger.getLogger("").setLevel(Level.WARNING);
        JupyterConnection connection;
        try {
            connection = new JupyterConnection(props);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("connection file " + connectionFile + ": signature scheme "
                    + props.getSignatureScheme() + " unsupported: " + e.getMessage(), e);
        }
        JavaKernel kernel = JavaKernel.builder().build();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
    }

    /** {@code java -cp ... org.infllava.kernel.KernelLauncher CONNECTION_FILE}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: KernelLauncher CONNECTION_FILE");
            System.exit(2);
        }
        run(Path.of(args[0]));
        System.exit(0);
    }
}
