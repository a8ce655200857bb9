package io.pgkb.restorer;

import com.github.luben.zstd.ZstdInputStream;
import io.pgkb.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Looks for values in every object of a store as it lies there: in the raw bytes and in the output of every zstd
 * frame found anywhere in them (whole compressed objects and the compressed blocks inside segment containers).
 */
final class CanaryScan {
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD};

    private CanaryScan() {
    }

    /** Keys of the objects under {@code prefix} that hold any of {@code needles}, raw or decompressed. */
    static List<String> holders(ObjectStore raw, String prefix, byte[]... needles) throws IOException {
        List<String> out = new ArrayList<>();
        for (ObjectStore.ObjectInfo o : raw.list(prefix)) {
            if (holds(raw.get(o.key()), needles)) {
                out.add(o.key());
            }
        }
        return out;
    }

    static boolean holds(byte[] object, byte[]... needles) {
        if (containsAny(object, needles)) {
            return true;
        }
        for (int i = 0; i + ZSTD_MAGIC.length <= object.length; i++) {
            if (object[i] == ZSTD_MAGIC[0] && object[i + 1] == ZSTD_MAGIC[1] && object[i + 2] == ZSTD_MAGIC[2]
                    && object[i + 3] == ZSTD_MAGIC[3] && containsAny(decompress(object, i), needles)) {
                return true;
            }
        }
        return false;
    }

    /** As much as zstd decodes from {@code offset} until the data stops being a frame. */
    private static byte[] decompress(byte[] b, int offset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(b, offset, b.length - offset))) {
            byte[] buf = new byte[1 << 16];
            for (int n; out.size() < (256 << 20) && (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            // the end of the frame, or not a frame at all: keep what was decoded
        }
        return out.toByteArray();
    }

    private static boolean containsAny(byte[] hay, byte[]... needles) {
        for (byte[] needle : needles) {
            if (indexOf(hay, needle) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
