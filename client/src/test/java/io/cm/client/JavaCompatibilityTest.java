package io.cm.client;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library runs on Java 17: it is compiled for 17 and the build runs this whole suite twice, on the
 * build's JDK and on a JDK 17 (client/pom.xml), each run naming the Java it expects.
 */
class JavaCompatibilityTest {

    /** Class file major version of Java 17. */
    private static final int JAVA_17 = 61;

    @Test
    void theLibraryIsCompiledForJava17() throws IOException {
        try (InputStream in = ConcurrencyClient.class.getResourceAsStream("ConcurrencyClient.class");
             DataInputStream classFile = new DataInputStream(in)) {
            classFile.readInt();            // magic
            classFile.readUnsignedShort();  // minor version

            assertThat(classFile.readUnsignedShort()).isEqualTo(JAVA_17);
        }
    }

    @Test
    void theSuiteRunsOnTheJavaThisRunWasConfiguredWith() {
        String expected = System.getProperty("cm.test.java-feature");

        assertThat(expected).as("set by client/pom.xml for each run").isNotNull();
        assertThat(Runtime.version().feature()).isEqualTo(Integer.parseInt(expected));
    }
}
