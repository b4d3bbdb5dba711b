package io.cm.server.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A report written row by row, as JSON or CSV, from the same calls, so that the two always hold the
 * same rows and figures. Values are text, whole numbers or null. JSON: an object with the query
 * echoed and {@code rows}, each row an object keyed by column (null values kept). CSV (RFC 4180): a
 * header line of the column names, then one line per row; null is an empty field. Written as they
 * come, without a tree: a month of minutes is tens of thousands of rows.
 */
abstract sealed class ReportTable permits ReportTable.Json, ReportTable.Csv {

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<String> columns;

    private ReportTable(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    /** One row: a value per column. */
    abstract void add(Object... values);

    /** The whole report, once every row is added. */
    abstract byte[] finish();

    static ReportTable json(List<String> columns, String report, String from, String to, String granularity,
                            List<String> by) {
        return new Json(columns, report, from, to, granularity, by);
    }

    static ReportTable csv(List<String> columns) {
        return new Csv(columns);
    }

    static final class Json extends ReportTable {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        private final JsonGenerator json;
        /** Column names escaped once, not once per row. */
        private final SerializableString[] names;

        private Json(List<String> columns, String report, String from, String to, String granularity, List<String> by) {
            super(columns);
            names = columns.stream().map(SerializedString::new).toArray(SerializableString[]::new);
            try {
                json = JSON.getFactory().createGenerator(bytes, JsonEncoding.UTF8);
                json.writeStartObject();
                json.writeStringField("report", report);
                json.writeStringField("from", from);
                json.writeStringField("to", to);
                json.writeStringField("granularity", granularity);
                json.writeArrayFieldStart("by");
                for (String dimension : by) json.writeString(dimension);
                json.writeEndArray();
                json.writeArrayFieldStart("rows");
            } catch (IOException e) {
                throw new UncheckedIOException("a report cannot be written in memory", e);
            }
        }

        @Override
        void add(Object... values) {
            try {
                json.writeStartObject();
                for (int c = 0; c < values.length; c++) {
                    json.writeFieldName(names[c]);
                    switch (values[c]) {
                        case null -> json.writeNull();
                        case Long number -> json.writeNumber(number);
                        case Integer number -> json.writeNumber(number);
                        default -> json.writeString(values[c].toString());
                    }
                }
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException("a report cannot be written in memory", e);
            }
        }

        @Override
        byte[] finish() {
            try {
                json.writeEndArray();
                json.writeEndObject();
                json.close();
            } catch (IOException e) {
                throw new UncheckedIOException("a report cannot be written in memory", e);
            }
            return bytes.toByteArray();
        }
    }

    static final class Csv extends ReportTable {
        private final StringBuilder line = new StringBuilder(1 << 16);

        private Csv(List<String> columns) {
            super(columns);
            add(columns.toArray());
        }

        @Override
        void add(Object... values) {
            for (int c = 0; c < values.length; c++) {
                if (c > 0) line.append(',');
                switch (values[c]) {
                    case null -> { }
                    case Long number -> line.append(number.longValue());
                    case Integer number -> line.append(number.intValue());
                    default -> field(values[c].toString());
                }
            }
            line.append("\r\n");
        }

        private void field(String value) {
            if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
                line.append(value);
            } else {
                line.append('"').append(value.replace("\"", "\"\"")).append('"');
            }
        }

        @Override
        byte[] finish() {
            return line.toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
