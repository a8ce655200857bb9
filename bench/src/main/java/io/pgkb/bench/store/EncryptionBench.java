package io.pgkb.bench.store;

import io.pgkb.store.FileSystemStore;
import io.pgkb.store.ObjectStore;
import io.pgkb.store.encryption.EncryptedStore;
import io.pgkb.store.encryption.KeyFile;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;

/**
 * The cost of encryption at rest alone: one object of MiB random (incompressible, as the compressed data pgkb
 * stores is) written and read back through a directory store, clear and encrypted alternately, ROUNDS times.
 * Prints MiB/s per side and encrypted ÷ clear. Args: [MiB (default 256)] [rounds (default 3)].
 */
public final class EncryptionBench {
    private EncryptionBench() {
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("pgkb-encryption-bench-");
        byte[] chunk = new byte[1 << 20];
        new Random(1).nextBytes(chunk);
        try (FileSystemStore clear = new FileSystemStore(dir.resolve("clear"));
             ObjectStore encrypted = new EncryptedStore(new FileSystemStore(dir.resolve("enc")), KeyFile.generate(dir.resolve("k")))) {
            for (int r = 0; r <= rounds; r++) {
                double[] c = writeRead(clear, chunk, mib);
                double[] e = writeRead(encrypted, chunk, mib);
                if (r == 0) {
                    continue; // warm-up: JIT and page cache
                }
                System.out.printf("RESULT round %d: write clear %.0f MiB/s, encrypted %.0f MiB/s (%.2f); read clear %.0f MiB/s,"
                        + " decrypted %.0f MiB/s (%.2f)%n", r, c[0], e[0], e[0] / c[0], c[1], e[1], e[1] / c[1]);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** MiB/s writing (to a committed object, fsync included) and reading it back. */
    private static double[] writeRead(ObjectStore store, byte[] chunk, int mib) throws Exception {
        long t0 = System.nanoTime();
        try (ObjectStore.ObjectWriter w = store.create("p/v1/object")) {
            for (int i = 0; i < mib; i++) {
                w.write(chunk);
            }
            w.commit();
        }
        double write = mib / ((System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        long n = 0;
        try (InputStream in = store.open("p/v1/object")) {
            byte[] buf = new byte[1 << 16];
            for (int k; (k = in.read(buf)) > 0; ) {
                n += k;
            }
        }
        if (n != (long) mib << 20) {
            throw new IllegalStateException("read " + n + " bytes of " + ((long) mib << 20));
        }
        return new double[] {write, mib / ((System.nanoTime() - t0) / 1e9)};
    }
}
