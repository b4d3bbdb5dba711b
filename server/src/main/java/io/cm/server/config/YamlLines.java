package io.cm.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.OptionalInt;

/**
 * Finds the line where a key path starts in a YAML text. Jackson reports a binding error at the
 * parser's position once the bad value or entry has been read, which is often the line after it;
 * an operator wants the line of the key.
 */
final class YamlLines {

    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlLines() {
    }

    static OptionalInt lineOf(String yaml, JsonPointer target) {
        try (JsonParser parser = FACTORY.createParser(yaml)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                JsonStreamContext context = parser.getParsingContext();
                // A container's own context is already open when its start token is read.
                if ((token.isStructStart()) && context.getParent() != null) context = context.getParent();
                if (context.pathAsPointer().equals(target)) {
                    return OptionalInt.of(parser.currentTokenLocation().getLineNr());
                }
            }
        } catch (IOException e) {
            // The text was already parsed once; if it cannot be walked again, the key path alone is reported.
        }
        return OptionalInt.empty();
    }
}
