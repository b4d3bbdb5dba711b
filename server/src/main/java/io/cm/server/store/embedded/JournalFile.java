package io.cm.server.store.embedded;

import io.cm.server.store.embedded.SubjectStateCodec.SubjectState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The layout of journal segments and snapshots: an 8-byte header (magic {@code CMSJ}, format version)
 * followed by records framed by {@link RecordBuffer}, each a {@link SubjectStateCodec} payload.
 */
final class JournalFile {

    static final int VERSION = 1;
    static final int HEADER = 8;
    /** Larger than any subject's state can be under the input limits; a longer frame is corrupt. */
    static final int MAX_RECORD = 64 << 20;
    private static final int MAGIC = 0x434D534A;
    private static final int READ_CHUNK = 1 << 20;

    private JournalFile() {
    }

    static ByteBuffer header() {
        return ByteBuffer.allocate(HEADER).putInt(MAGIC).putInt(VERSION).flip();
    }

    /** Writes all of {@code bytes} (a file channel may take them in several calls). Blocking I/O. */
    static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) out.write(bytes);
    }

    /**
     * What reading a file found: {@code records} good records in its first {@code validLength} bytes;
     * {@code fault} says why reading stopped before the end of the file, if it did.
     */
    record Scan(long records, long validLength, Optional<String> fault) {
        boolean hasHeader() {
            return validLength >= HEADER;
        }
    }

    /**
     * Hands every record of {@code file} to {@code each}, in order, up to the end or the first record
     * that is torn (the file ends within it), corrupt (length or checksum wrong) or undecodable.
     * Blocking I/O; start-up only.
     *
     * @throws IllegalStateException if the file is not a journal file of this format
     */
    static Scan read(Path file, Consumer<SubjectState> each) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Scanner(channel).scan(file, each);
        }
    }

    /** A window over the file's bytes, refilled as records are consumed. */
    private static final class Scanner {
        private final FileChannel channel;
        private final CRC32C crc = new CRC32C();
        private final StringCache shared = new StringCache();
        private byte[] buffer = new byte[READ_CHUNK];
        private int start;
        private int end;
        private boolean eof;

        Scanner(FileChannel channel) {
            this.channel = channel;
        }

        Scan scan(Path file, Consumer<SubjectState> each) throws IOException {
            if (!fill(HEADER)) return new Scan(0, 0, Optional.of("the file ends within its header"));
            ByteBuffer header = ByteBuffer.wrap(buffer, 0, HEADER);
            int magic = header.getInt();
            int version = header.getInt();
            if (magic != MAGIC || version != VERSION) {
                throw new IllegalStateException(file + " is not a session journal file of format " + VERSION
                        + " (header " + Integer.toHexString(magic) + "/" + version + ")");
            }
            start = HEADER;
            long valid = HEADER;
            long records = 0;
            while (true) {
                if (!fill(RecordBuffer.FRAME_HEADER)) {
                    return new Scan(records, valid, start == end ? Optional.empty()
                            : Optional.of("the file ends within a record's frame"));
                }
                ByteBuffer frame = ByteBuffer.wrap(buffer, start, RecordBuffer.FRAME_HEADER);
                int length = frame.getInt();
                int checksum = frame.getInt();
                if (length <= 0 || length > MAX_RECORD) {
                    return new Scan(records, valid, Optional.of("impossible record length " + length));
                }
                if (!fill(RecordBuffer.FRAME_HEADER + length)) {
                    return new Scan(records, valid, Optional.of("the file ends within a record of " + length + " bytes"));
                }
                int payload = start + RecordBuffer.FRAME_HEADER;
                crc.reset();
                crc.update(buffer, payload, length);
                if ((int) crc.getValue() != checksum) {
                    return new Scan(records, valid, Optional.of("checksum mismatch"));
                }
                SubjectState state;
                try {
                    state = SubjectStateCodec.decode(new RecordReader(buffer, payload, length, shared));
                } catch (IllegalArgumentException | ArithmeticException e) {
                    return new Scan(records, valid, Optional.of("undecodable record: " + e.getMessage()));
                }
                each.accept(state);
                start = payload + length;
                valid += RecordBuffer.FRAME_HEADER + length;
                records++;
            }
        }

        /** Makes at least {@code count} unread bytes available; false if the file ends first. */
        private boolean fill(int count) throws IOException {
            if (end - start >= count) return true;
            if (count > buffer.length) {
                buffer = Arrays.copyOfRange(buffer, start, start + Math.max(count, buffer.length * 2));
            } else {
                System.arraycopy(buffer, start, buffer, 0, end - start);
            }
            end -= start;
            start = 0;
            while (end < count && !eof) {
                int read = channel.read(ByteBuffer.wrap(buffer, end, buffer.length - end));
                if (read < 0) eof = true;
                else end += read;
            }
            return end >= count;
        }
    }
}
