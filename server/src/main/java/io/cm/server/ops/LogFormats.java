package io.cm.server.ops;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import io.cm.server.config.ServerConfig.LogFormat;
import org.slf4j.LoggerFactory;

/**
 * Switches the log lines of the bundled {@code logback.xml} to JSON when the configuration asks for
 * it. A Logback configuration of the operator's own (one without our {@code text} appender) is left
 * as it is.
 */
public final class LogFormats {

    private static final String TEXT_APPENDER = "text";
    private static final String JSON_APPENDER = "json";

    private LogFormats() {
    }

    public static void apply(LogFormat format) {
        if (format != LogFormat.JSON || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> text = root.getAppender(TEXT_APPENDER);
        if (text == null) {
            root.warn("JSON log format asked for, but the Logback configuration is not the bundled one; left as it is");
            return;
        }
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
        json.setName(JSON_APPENDER);
        json.setContext(context);
        json.setEncoder(encoder);
        json.start();
        root.addAppender(json);
        root.detachAppender(text);
        text.stop();
    }
}
