package io.cm.server;

import io.cm.server.credentials.SecretHash;
import picocli.CommandLine.Command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code cm-server hash-secret}: reads a client secret from the first line of standard input (so it
 * stays out of the shell history and the process list) and prints the hash the config keeps instead.
 */
@Command(name = "hash-secret", mixinStandardHelpOptions = true,
        description = "Reads a stream client's secret from standard input and prints the hash to put in stream-clients[].secret")
final class HashSecret implements Callable<Integer> {

    @Override
    public Integer call() throws IOException {
        String secret = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (secret == null || secret.isEmpty()) {
            System.err.println("cm-server hash-secret: give the secret on standard input");
            return 2;
        }
        System.out.println(SecretHash.of(secret, SecretHash.DEFAULT_ITERATIONS).encoded());
        return 0;
    }
}
